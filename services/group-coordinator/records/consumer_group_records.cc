#include "services/group-coordinator/records/consumer_group_records.h"

#include <type_traits>

#include "common/protocol/data/consumer_group_current_member_assignment_key.h"
#include "common/protocol/data/consumer_group_current_member_assignment_value.h"
#include "common/protocol/data/consumer_group_member_metadata_key.h"
#include "common/protocol/data/consumer_group_member_metadata_value.h"
#include "common/protocol/data/consumer_group_metadata_key.h"
#include "common/protocol/data/consumer_group_metadata_value.h"
#include "common/protocol/data/consumer_group_partition_metadata_key.h"
#include "common/protocol/data/consumer_group_partition_metadata_value.h"
#include "common/protocol/data/consumer_group_target_assignment_member_key.h"
#include "common/protocol/data/consumer_group_target_assignment_member_value.h"
#include "common/protocol/data/consumer_group_target_assignment_metadata_key.h"
#include "common/protocol/data/consumer_group_target_assignment_metadata_value.h"
#include "common/protocol/versioned_data.h"

namespace sluice::group_coordinator {

namespace {

using protocol::decode_versioned;
using protocol::encode_versioned;
using protocol::unknown_version;

constexpr std::int16_t value_version = 0;  // every value's only version, flexible

/// The generated key each of our key types is written as. A key schema has
/// one version, and that version names the record type (3-8).
template <class Key>
struct key_record;
template <>
struct key_record<consumer_group_epoch_key> : std::type_identity<protocol::consumer_group_metadata_key> {};
template <>
struct key_record<consumer_partition_metadata_key>
    : std::type_identity<protocol::consumer_group_partition_metadata_key> {};
template <>
struct key_record<consumer_member_key> : std::type_identity<protocol::consumer_group_member_metadata_key> {};
template <>
struct key_record<consumer_target_epoch_key>
    : std::type_identity<protocol::consumer_group_target_assignment_metadata_key> {};
template <>
struct key_record<consumer_target_member_key>
    : std::type_identity<protocol::consumer_group_target_assignment_member_key> {};
template <>
struct key_record<consumer_current_assignment_key>
    : std::type_identity<protocol::consumer_group_current_member_assignment_key> {};

/// A key in Kafka's layout: its record type, then the group id and, for
/// per-member records, the member id.
template <class Key>
std::string key_bytes(const Key& k) {
  using record = typename key_record<Key>::type;
  static_assert(record::min_version == record::max_version, "a key's version is its record type");
  record m;
  m.group_id = k.group;
  if constexpr (requires { m.member_id; }) m.member_id = k.member_id;
  return encode_versioned(m, record::min_version);
}

/// Sets `out` to the Key in `bytes` if `version` is Key's record type.
template <class Key>
void read_key_as(std::string_view bytes, std::int16_t version, consumer_record_key& out) {
  using record = typename key_record<Key>::type;
  if (!protocol::is_version_of<record>(version)) return;
  auto m = decode_versioned<record>(bytes, unknown_version::refuse).message;
  if constexpr (requires { m.member_id; })
    out = Key{std::move(m.group_id), std::move(m.member_id)};
  else
    out = Key{std::move(m.group_id)};
}

template <class M>
M read_value(std::string_view bytes) {
  return decode_versioned<M>(bytes, unknown_version::refuse).message;
}

/// Between our topic id -> partitions and a generated {TopicId, Partitions} list.
template <class TopicPartitions>
std::vector<TopicPartitions> to_record(const topic_id_partitions& tps) {
  std::vector<TopicPartitions> out;
  for (const auto& [id, partitions] : tps) out.push_back({.topic_id = id, .partitions = partitions});
  return out;
}

template <class TopicPartitions>
topic_id_partitions from_record(std::vector<TopicPartitions> tps) {
  topic_id_partitions out;
  for (auto& tp : tps) out.emplace_back(tp.topic_id, std::move(tp.partitions));
  return out;
}

}  // namespace

std::string encode_key(const consumer_group_epoch_key& k) { return key_bytes(k); }
std::string encode_key(const consumer_partition_metadata_key& k) { return key_bytes(k); }
std::string encode_key(const consumer_member_key& k) { return key_bytes(k); }
std::string encode_key(const consumer_target_epoch_key& k) { return key_bytes(k); }
std::string encode_key(const consumer_target_member_key& k) { return key_bytes(k); }
std::string encode_key(const consumer_current_assignment_key& k) { return key_bytes(k); }

std::string encode_group_epoch_value(std::int32_t epoch) {
  return encode_versioned(protocol::consumer_group_metadata_value{.epoch = epoch}, value_version);
}

std::string encode_target_epoch_value(std::int32_t assignment_epoch) {
  return encode_versioned(protocol::consumer_group_target_assignment_metadata_value{.assignment_epoch = assignment_epoch},
                          value_version);
}

std::string encode_partition_metadata_value(const std::vector<consumer_topic_metadata>& topics) {
  protocol::consumer_group_partition_metadata_value m;
  // PartitionMetadata (racks) stays empty: deprecated, and Kafka writes it empty without rack data.
  for (const auto& t : topics) m.topics.push_back({.topic_id = t.id, .topic_name = t.name, .num_partitions = t.partitions});
  return encode_versioned(m, value_version);
}

std::string encode_value(const consumer_member_value& v) {
  using record = protocol::consumer_group_member_metadata_value;
  std::optional<record::classic_member> classic;
  if (v.classic) {
    classic.emplace().session_timeout_ms = v.classic->session_timeout_ms;
    for (const auto& [name, metadata] : v.classic->protocols)
      classic->supported_protocols.push_back({.name = name, .metadata = protocol::bytes_of(metadata)});
  }
  return encode_versioned(
      record{.instance_id = v.instance_id, .rack_id = v.rack_id, .client_id = v.client_id, .client_host = v.client_host,
             .subscribed_topic_names = v.subscribed_topic_names, .subscribed_topic_regex = v.subscribed_topic_regex,
             .rebalance_timeout_ms = v.rebalance_timeout_ms, .server_assignor = v.server_assignor,
             .classic_member_metadata = std::move(classic)},
      value_version);
}

std::string encode_target_member_value(const topic_id_partitions& partitions) {
  protocol::consumer_group_target_assignment_member_value m;
  m.topic_partitions = to_record<decltype(m)::topic_partition>(partitions);
  return encode_versioned(m, value_version);
}

std::string encode_value(const consumer_current_assignment_value& v) {
  using record = protocol::consumer_group_current_member_assignment_value;
  return encode_versioned(
      record{.member_epoch = v.member_epoch, .previous_member_epoch = v.previous_member_epoch,
             .state = static_cast<std::int8_t>(v.state),
             .assigned_partitions = to_record<record::topic_partitions>(v.assigned),
             .partitions_pending_revocation = to_record<record::topic_partitions>(v.pending_revocation)},
      value_version);
}

consumer_record_key decode_consumer_key(std::string_view bytes) {
  const std::int16_t v = protocol::version_of(bytes);
  consumer_record_key out;  // std::monostate unless one of our key types claims the version
  read_key_as<consumer_group_epoch_key>(bytes, v, out);
  read_key_as<consumer_partition_metadata_key>(bytes, v, out);
  read_key_as<consumer_member_key>(bytes, v, out);
  read_key_as<consumer_target_epoch_key>(bytes, v, out);
  read_key_as<consumer_target_member_key>(bytes, v, out);
  read_key_as<consumer_current_assignment_key>(bytes, v, out);
  return out;
}

std::int32_t decode_group_epoch_value(std::string_view bytes) {
  return read_value<protocol::consumer_group_metadata_value>(bytes).epoch;
}

std::int32_t decode_target_epoch_value(std::string_view bytes) {
  return read_value<protocol::consumer_group_target_assignment_metadata_value>(bytes).assignment_epoch;
}

std::vector<consumer_topic_metadata> decode_partition_metadata_value(std::string_view bytes) {
  auto m = read_value<protocol::consumer_group_partition_metadata_value>(bytes);
  std::vector<consumer_topic_metadata> out;
  for (auto& t : m.topics) out.push_back({t.topic_id, std::move(t.topic_name), t.num_partitions});  // racks: unused
  return out;
}

consumer_member_value decode_member_value(std::string_view bytes) {
  auto m = read_value<protocol::consumer_group_member_metadata_value>(bytes);
  std::optional<classic_member_metadata> classic;
  if (m.classic_member_metadata) {
    classic.emplace().session_timeout_ms = m.classic_member_metadata->session_timeout_ms;
    for (auto& p : m.classic_member_metadata->supported_protocols)
      classic->protocols.emplace_back(std::move(p.name), protocol::string_of(p.metadata));
  }
  return {.instance_id = std::move(m.instance_id), .rack_id = std::move(m.rack_id), .client_id = std::move(m.client_id),
          .client_host = std::move(m.client_host), .subscribed_topic_names = std::move(m.subscribed_topic_names),
          .subscribed_topic_regex = std::move(m.subscribed_topic_regex), .rebalance_timeout_ms = m.rebalance_timeout_ms,
          .server_assignor = std::move(m.server_assignor), .classic = std::move(classic)};
}

topic_id_partitions decode_target_member_value(std::string_view bytes) {
  return from_record(read_value<protocol::consumer_group_target_assignment_member_value>(bytes).topic_partitions);
}

consumer_current_assignment_value decode_current_assignment_value(std::string_view bytes) {
  auto m = read_value<protocol::consumer_group_current_member_assignment_value>(bytes);
  const bool known_state = m.state >= 0 && m.state <= 2;
  return {.member_epoch = m.member_epoch, .previous_member_epoch = m.previous_member_epoch,
          .state = known_state ? static_cast<consumer_member_state>(m.state) : consumer_member_state::unknown,
          .assigned = from_record(std::move(m.assigned_partitions)),
          .pending_revocation = from_record(std::move(m.partitions_pending_revocation))};
}

}  // namespace sluice::group_coordinator
