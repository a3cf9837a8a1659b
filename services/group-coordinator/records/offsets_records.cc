#include "services/group-coordinator/records/offsets_records.h"

#include "common/protocol/data/group_metadata_key.h"
#include "common/protocol/data/group_metadata_value.h"
#include "common/protocol/data/offset_commit_key.h"
#include "common/protocol/data/offset_commit_value.h"
#include "common/protocol/versioned_data.h"

namespace sluice::group_coordinator {

namespace {

using protocol::decode_versioned;
using protocol::encode_versioned;
using protocol::is_version_of;
using protocol::unknown_version;

// The versions we write: the newest that are not flexible (v4 of both
// values is), which every reader of the topic knows.
constexpr std::int16_t offset_key_version = 1;
constexpr std::int16_t group_key_version = 2;  // GroupMetadataKey's only version
constexpr std::int16_t offset_value_version = 3;
constexpr std::int16_t group_value_version = 3;

}  // namespace

std::string encode_key(const offset_key& k) {
  return encode_versioned(protocol::offset_commit_key{.group = k.group, .topic = k.topic, .partition = k.partition},
                          offset_key_version);
}

std::string encode_key(const group_key& k) {
  return encode_versioned(protocol::group_metadata_key{.group = k.group}, group_key_version);
}

std::string encode_value(const offset_value& v) {
  return encode_versioned(protocol::offset_commit_value{.offset = v.offset, .leader_epoch = v.leader_epoch,
                                                        .metadata = v.metadata, .commit_timestamp = v.commit_timestamp},
                          offset_value_version);
}

std::string encode_value(const group_value& v) {
  protocol::group_metadata_value m{.protocol_type = v.protocol_type, .generation = v.generation, .protocol = v.protocol,
                                   .leader = v.leader, .current_state_timestamp = v.state_timestamp};
  for (const auto& s : v.members)
    m.members.push_back({.member_id = s.member_id, .group_instance_id = s.instance_id, .client_id = s.client_id,
                         .client_host = s.client_host, .rebalance_timeout = s.rebalance_timeout_ms,
                         .session_timeout = s.session_timeout_ms, .subscription = protocol::bytes_of(s.subscription),
                         .assignment = protocol::bytes_of(s.assignment)});
  return encode_versioned(m, group_value_version);
}

any_key decode_key(std::string_view bytes) {
  const std::int16_t version = protocol::version_of(bytes);
  if (is_version_of<protocol::offset_commit_key>(version)) {
    auto m = decode_versioned<protocol::offset_commit_key>(bytes, unknown_version::refuse).message;
    return offset_key{std::move(m.group), std::move(m.topic), m.partition};
  }
  if (is_version_of<protocol::group_metadata_key>(version))
    return group_key{decode_versioned<protocol::group_metadata_key>(bytes, unknown_version::refuse).message.group};
  return std::monostate{};
}

offset_value decode_offset_value(std::string_view bytes) {
  // Any version reads, a newer one as v4 (as this reader always has); v1's
  // expire timestamp and v4's tagged fields are nothing we use.
  auto m = decode_versioned<protocol::offset_commit_value>(bytes, unknown_version::read_as_nearest).message;
  return offset_value{m.offset, m.leader_epoch, std::move(m.metadata), m.commit_timestamp};
}

group_value decode_group_value(std::string_view bytes) {
  auto [version, m] = decode_versioned<protocol::group_metadata_value>(bytes, unknown_version::refuse);
  group_value v{.protocol_type = std::move(m.protocol_type), .generation = m.generation,
                .protocol = std::move(m.protocol), .leader = std::move(m.leader),
                .state_timestamp = m.current_state_timestamp, .members = {}};
  for (auto& in : m.members)
    v.members.push_back({.member_id = std::move(in.member_id), .instance_id = std::move(in.group_instance_id),
                         .client_id = std::move(in.client_id), .client_host = std::move(in.client_host),
                         // v0 had one timeout for both, as Kafka reads it.
                         .rebalance_timeout_ms = version == 0 ? in.session_timeout : in.rebalance_timeout,
                         .session_timeout_ms = in.session_timeout, .subscription = protocol::string_of(in.subscription),
                         .assignment = protocol::string_of(in.assignment)});
  return v;
}

}  // namespace sluice::group_coordinator
