#pragma once
// The records of __consumer_offsets in Kafka's own formats
// (GroupMetadataManager / GroupCoordinatorRecordSerde), so Kafka tools that
// read the topic understand it:
//
//   key v0/v1  OffsetCommitKey     group, topic, partition
//   value v3   OffsetCommitValue   offset, leader epoch, metadata, commit time
//   key v2     GroupMetadataKey    group
//   value v3   GroupMetadataValue  protocol type, generation, protocol, leader,
//                                  state time, members (id, instance id,
//                                  client id, host, timeouts, subscription,
//                                  assignment)
//
// A null value is a tombstone: the offset, or the whole group, is deleted.
// The layouts are the generated data messages (common/protocol/schema/
// data_messages/offset_commit_*, group_metadata_*); this maps them to and
// from the coordinator's types. We write the newest non-flexible versions and
// read every version the schemas list (values v0-v4); an OffsetCommitValue
// newer than v4 reads as v4, a newer GroupMetadataValue is refused.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace sluice::group_coordinator {

struct offset_key {
  std::string group;
  std::string topic;
  std::int32_t partition = 0;
};

struct offset_value {
  std::int64_t offset = -1;
  std::int32_t leader_epoch = -1;
  std::string metadata;
  std::int64_t commit_timestamp = -1;
};

struct group_key {
  std::string group;
};

struct stored_member {
  std::string member_id;
  std::optional<std::string> instance_id;
  std::string client_id;
  std::string client_host;
  std::int32_t rebalance_timeout_ms = 0;
  std::int32_t session_timeout_ms = 0;
  std::string subscription;
  std::string assignment;
};

struct group_value {
  std::string protocol_type;
  std::int32_t generation = 0;
  std::optional<std::string> protocol;
  std::optional<std::string> leader;
  std::int64_t state_timestamp = -1;
  std::vector<stored_member> members;
};

std::string encode_key(const offset_key& k);
std::string encode_key(const group_key& k);
std::string encode_value(const offset_value& v);
std::string encode_value(const group_value& v);

/// A key we do not use (the KIP-848 and transaction record types) decodes
/// to std::monostate; bytes that do not parse throw protocol::decode_error.
using any_key = std::variant<std::monostate, offset_key, group_key>;
any_key decode_key(std::string_view bytes);
offset_value decode_offset_value(std::string_view bytes);
group_value decode_group_value(std::string_view bytes);

}  // namespace sluice::group_coordinator
