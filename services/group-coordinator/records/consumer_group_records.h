#pragma once
// The KIP-848 consumer group records of __consumer_offsets, in Kafka's own
// formats (group-coordinator/src/main/resources/common/message/*.json), so a
// Kafka coordinator or tool reading the partition understands them.
//
// Key: int16 version, then the fields, non-flexible (int16-length strings):
//   v3  ConsumerGroupMetadataKey                group
//   v4  ConsumerGroupPartitionMetadataKey       group
//   v5  ConsumerGroupMemberMetadataKey          group, member id
//   v6  ConsumerGroupTargetAssignmentMetadataKey group
//   v7  ConsumerGroupTargetAssignmentMemberKey  group, member id
//   v8  ConsumerGroupCurrentMemberAssignmentKey group, member id
// Value: int16 version 0, then the fields, flexible (compact strings and
// arrays, a tagged-field section closing every struct):
//   ConsumerGroupMetadataValue            epoch
//   ConsumerGroupPartitionMetadataValue   topics [id, name, partitions, partition racks (written empty)]
//   ConsumerGroupMemberMetadataValue      instance id, rack, client id, host, subscribed names,
//                                         regex, rebalance timeout, server assignor
//                                         (tag 0, classic member metadata: a member that joined
//                                         with JoinGroup: session timeout, protocols offered)
//   ConsumerGroupTargetAssignmentMetadataValue  assignment epoch
//   ConsumerGroupTargetAssignmentMemberValue    [topic id, partitions]
//   ConsumerGroupCurrentMemberAssignmentValue   member epoch, previous epoch, state,
//                                               assigned [topic id, partitions],
//                                               pending revocation [topic id, partitions]
// A null value is a tombstone. Topics are named by id, as Kafka does.
// The layouts are the generated data messages (common/protocol/schema/
// data_messages/consumer_group_*); this maps them to and from the coordinator's
// types. A value of another version than 0 is refused.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "common/protocol/wire.h"

namespace sluice::group_coordinator {

struct consumer_group_epoch_key {
  std::string group;
};
struct consumer_partition_metadata_key {
  std::string group;
};
struct consumer_member_key {
  std::string group;
  std::string member_id;
};
struct consumer_target_epoch_key {
  std::string group;
};
struct consumer_target_member_key {
  std::string group;
  std::string member_id;
};
struct consumer_current_assignment_key {
  std::string group;
  std::string member_id;
};

/// Topic id -> partitions, as the records hold an assignment.
using topic_id_partitions = std::vector<std::pair<protocol::uuid, std::vector<std::int32_t>>>;

struct consumer_topic_metadata {
  protocol::uuid id{};
  std::string name;
  std::int32_t partitions = 0;
};

/// What a member that joined with the classic protocol (JoinGroup, in a
/// KIP-848 group) offered: its session timeout and its protocols, each a
/// name and the member's ConsumerProtocolSubscription for it (Kafka's
/// ClassicMemberMetadata).
struct classic_member_metadata {
  std::int32_t session_timeout_ms = 0;
  std::vector<std::pair<std::string, std::string>> protocols;  // name, metadata
  bool operator==(const classic_member_metadata&) const = default;
};

struct consumer_member_value {
  std::optional<std::string> instance_id;
  std::optional<std::string> rack_id;
  std::string client_id;
  std::string client_host;
  std::vector<std::string> subscribed_topic_names;
  std::optional<std::string> subscribed_topic_regex;
  std::int32_t rebalance_timeout_ms = -1;
  std::optional<std::string> server_assignor;
  std::optional<classic_member_metadata> classic;  // tag 0; null for KIP-848 members
};

/// Kafka's MemberState.
enum class consumer_member_state : std::int8_t {
  stable = 0,
  unrevoked_partitions = 1,
  unreleased_partitions = 2,
  unknown = 127,
};

struct consumer_current_assignment_value {
  std::int32_t member_epoch = 0;
  std::int32_t previous_member_epoch = 0;
  consumer_member_state state = consumer_member_state::stable;
  topic_id_partitions assigned;
  topic_id_partitions pending_revocation;
};

std::string encode_key(const consumer_group_epoch_key& k);
std::string encode_key(const consumer_partition_metadata_key& k);
std::string encode_key(const consumer_member_key& k);
std::string encode_key(const consumer_target_epoch_key& k);
std::string encode_key(const consumer_target_member_key& k);
std::string encode_key(const consumer_current_assignment_key& k);

std::string encode_group_epoch_value(std::int32_t epoch);
std::string encode_partition_metadata_value(const std::vector<consumer_topic_metadata>& topics);
std::string encode_value(const consumer_member_value& v);
std::string encode_target_epoch_value(std::int32_t assignment_epoch);
std::string encode_target_member_value(const topic_id_partitions& partitions);
std::string encode_value(const consumer_current_assignment_value& v);

/// std::monostate for keys of other record types; bytes that do not parse
/// throw protocol::decode_error.
using consumer_record_key =
    std::variant<std::monostate, consumer_group_epoch_key, consumer_partition_metadata_key, consumer_member_key,
                 consumer_target_epoch_key, consumer_target_member_key, consumer_current_assignment_key>;
consumer_record_key decode_consumer_key(std::string_view bytes);

std::int32_t decode_group_epoch_value(std::string_view bytes);
std::vector<consumer_topic_metadata> decode_partition_metadata_value(std::string_view bytes);
consumer_member_value decode_member_value(std::string_view bytes);
std::int32_t decode_target_epoch_value(std::string_view bytes);
topic_id_partitions decode_target_member_value(std::string_view bytes);
consumer_current_assignment_value decode_current_assignment_value(std::string_view bytes);

}  // namespace sluice::group_coordinator
