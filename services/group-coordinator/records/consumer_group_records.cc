#include "services/group-coordinator/records/consumer_group_records.h"

#include <algorithm>
#include <span>

#include "services/group-coordinator/records/record_bytes.h"

namespace sluice::group_coordinator {

namespace {

constexpr std::int16_t group_epoch_key_version = 3;
constexpr std::int16_t partition_metadata_key_version = 4;
constexpr std::int16_t member_key_version = 5;
constexpr std::int16_t target_epoch_key_version = 6;
constexpr std::int16_t target_member_key_version = 7;
constexpr std::int16_t current_assignment_key_version = 8;
constexpr std::int16_t value_version = 0;  // every value's only version, flexible

using record_bytes::reader_of;
using record_bytes::to_string;

std::string group_key_bytes(std::int16_t version, const std::string& group) {
  protocol::writer w;
  w.write_int16(version);
  w.write_string(group);
  return to_string(w);
}

std::string member_key_bytes(std::int16_t version, const std::string& group, const std::string& member_id) {
  protocol::writer w;
  w.write_int16(version);
  w.write_string(group);
  w.write_string(member_id);
  return to_string(w);
}

void write_no_tags(protocol::writer& w) { w.write_unsigned_varint(0); }

/// A value's reader, past its version (which must be one we know).
protocol::reader value_reader(std::string_view bytes, const char* name) {
  auto r = reader_of(bytes);
  const std::int16_t version = r.read_int16();
  if (version != value_version)
    throw protocol::decode_error(std::string(name) + " version " + std::to_string(version) + " is not supported");
  return r;
}

/// Compact arrays here are never null; a null one reads as empty.
std::int32_t read_count(protocol::reader& r) { return std::max(0, r.read_compact_array_length()); }

void write_int32s(protocol::writer& w, const std::vector<std::int32_t>& v) {
  w.write_compact_array_length(static_cast<std::int32_t>(v.size()));
  for (auto x : v) w.write_int32(x);
}

std::vector<std::int32_t> read_int32s(protocol::reader& r) {
  std::vector<std::int32_t> out(static_cast<std::size_t>(read_count(r)));
  for (auto& x : out) x = r.read_int32();
  return out;
}

/// []TopicPartition / []TopicPartitions: topic id, partitions, tagged fields.
void write_topic_partitions(protocol::writer& w, const topic_id_partitions& tps) {
  w.write_compact_array_length(static_cast<std::int32_t>(tps.size()));
  for (const auto& [id, partitions] : tps) {
    w.write_uuid(id);
    write_int32s(w, partitions);
    write_no_tags(w);
  }
}

topic_id_partitions read_topic_partitions(protocol::reader& r) {
  topic_id_partitions out;
  const std::int32_t n = read_count(r);
  for (std::int32_t i = 0; i < n; ++i) {
    auto id = r.read_uuid();
    auto partitions = read_int32s(r);
    r.skip_tagged_fields();
    out.emplace_back(id, std::move(partitions));
  }
  return out;
}

std::string single_int32_value(std::int32_t v) {
  protocol::writer w;
  w.write_int16(value_version);
  w.write_int32(v);
  write_no_tags(w);
  return to_string(w);
}

std::int32_t read_single_int32(std::string_view bytes, const char* name) {
  auto r = value_reader(bytes, name);
  const std::int32_t v = r.read_int32();
  r.skip_tagged_fields();
  return v;
}

}  // namespace

std::string encode_key(const consumer_group_epoch_key& k) { return group_key_bytes(group_epoch_key_version, k.group); }
std::string encode_key(const consumer_partition_metadata_key& k) {
  return group_key_bytes(partition_metadata_key_version, k.group);
}
std::string encode_key(const consumer_member_key& k) { return member_key_bytes(member_key_version, k.group, k.member_id); }
std::string encode_key(const consumer_target_epoch_key& k) { return group_key_bytes(target_epoch_key_version, k.group); }
std::string encode_key(const consumer_target_member_key& k) {
  return member_key_bytes(target_member_key_version, k.group, k.member_id);
}
std::string encode_key(const consumer_current_assignment_key& k) {
  return member_key_bytes(current_assignment_key_version, k.group, k.member_id);
}

std::string encode_group_epoch_value(std::int32_t epoch) { return single_int32_value(epoch); }
std::string encode_target_epoch_value(std::int32_t assignment_epoch) { return single_int32_value(assignment_epoch); }

std::string encode_partition_metadata_value(const std::vector<consumer_topic_metadata>& topics) {
  protocol::writer w;
  w.write_int16(value_version);
  w.write_compact_array_length(static_cast<std::int32_t>(topics.size()));
  for (const auto& t : topics) {
    w.write_uuid(t.id);
    w.write_compact_string(t.name);
    w.write_int32(t.partitions);
    w.write_compact_array_length(0);  // PartitionMetadata (racks): deprecated, Kafka writes it empty without rack data
    write_no_tags(w);
  }
  write_no_tags(w);
  return to_string(w);
}

std::string encode_value(const consumer_member_value& v) {
  protocol::writer w;
  w.write_int16(value_version);
  w.write_compact_nullable_string(v.instance_id);
  w.write_compact_nullable_string(v.rack_id);
  w.write_compact_string(v.client_id);
  w.write_compact_string(v.client_host);
  w.write_compact_array_length(static_cast<std::int32_t>(v.subscribed_topic_names.size()));
  for (const auto& t : v.subscribed_topic_names) w.write_compact_string(t);
  w.write_compact_nullable_string(v.subscribed_topic_regex);
  w.write_int32(v.rebalance_timeout_ms);
  w.write_compact_nullable_string(v.server_assignor);
  write_no_tags(w);  // ClassicMemberMetadata (tag 0) is null for consumer-protocol members
  return to_string(w);
}

std::string encode_target_member_value(const topic_id_partitions& partitions) {
  protocol::writer w;
  w.write_int16(value_version);
  write_topic_partitions(w, partitions);
  write_no_tags(w);
  return to_string(w);
}

std::string encode_value(const consumer_current_assignment_value& v) {
  protocol::writer w;
  w.write_int16(value_version);
  w.write_int32(v.member_epoch);
  w.write_int32(v.previous_member_epoch);
  w.write_int8(static_cast<std::int8_t>(v.state));
  write_topic_partitions(w, v.assigned);
  write_topic_partitions(w, v.pending_revocation);
  write_no_tags(w);
  return to_string(w);
}

consumer_record_key decode_consumer_key(std::string_view bytes) {
  auto r = reader_of(bytes);
  switch (r.read_int16()) {
    case group_epoch_key_version: return consumer_group_epoch_key{r.read_string()};
    case partition_metadata_key_version: return consumer_partition_metadata_key{r.read_string()};
    case target_epoch_key_version: return consumer_target_epoch_key{r.read_string()};
    case member_key_version: {
      auto group = r.read_string();
      return consumer_member_key{std::move(group), r.read_string()};
    }
    case target_member_key_version: {
      auto group = r.read_string();
      return consumer_target_member_key{std::move(group), r.read_string()};
    }
    case current_assignment_key_version: {
      auto group = r.read_string();
      return consumer_current_assignment_key{std::move(group), r.read_string()};
    }
    default: return std::monostate{};
  }
}

std::int32_t decode_group_epoch_value(std::string_view bytes) {
  return read_single_int32(bytes, "ConsumerGroupMetadataValue");
}

std::int32_t decode_target_epoch_value(std::string_view bytes) {
  return read_single_int32(bytes, "ConsumerGroupTargetAssignmentMetadataValue");
}

std::vector<consumer_topic_metadata> decode_partition_metadata_value(std::string_view bytes) {
  auto r = value_reader(bytes, "ConsumerGroupPartitionMetadataValue");
  std::vector<consumer_topic_metadata> out;
  const std::int32_t n = read_count(r);
  for (std::int32_t i = 0; i < n; ++i) {
    consumer_topic_metadata t;
    t.id = r.read_uuid();
    t.name = r.read_compact_string();
    t.partitions = r.read_int32();
    const std::int32_t racks = read_count(r);
    for (std::int32_t p = 0; p < racks; ++p) {
      (void)r.read_int32();  // partition
      const std::int32_t names = read_count(r);
      for (std::int32_t k = 0; k < names; ++k) (void)r.read_compact_string();
      r.skip_tagged_fields();
    }
    r.skip_tagged_fields();
    out.push_back(std::move(t));
  }
  r.skip_tagged_fields();
  return out;
}

consumer_member_value decode_member_value(std::string_view bytes) {
  auto r = value_reader(bytes, "ConsumerGroupMemberMetadataValue");
  consumer_member_value v;
  v.instance_id = r.read_compact_nullable_string();
  v.rack_id = r.read_compact_nullable_string();
  v.client_id = r.read_compact_string();
  v.client_host = r.read_compact_string();
  const std::int32_t n = read_count(r);
  for (std::int32_t i = 0; i < n; ++i) v.subscribed_topic_names.push_back(r.read_compact_string());
  v.subscribed_topic_regex = r.read_compact_nullable_string();
  v.rebalance_timeout_ms = r.read_int32();
  v.server_assignor = r.read_compact_nullable_string();
  r.skip_tagged_fields();  // a member that joined with the classic protocol (tag 0): not one of ours
  return v;
}

topic_id_partitions decode_target_member_value(std::string_view bytes) {
  auto r = value_reader(bytes, "ConsumerGroupTargetAssignmentMemberValue");
  auto out = read_topic_partitions(r);
  r.skip_tagged_fields();
  return out;
}

consumer_current_assignment_value decode_current_assignment_value(std::string_view bytes) {
  auto r = value_reader(bytes, "ConsumerGroupCurrentMemberAssignmentValue");
  consumer_current_assignment_value v;
  v.member_epoch = r.read_int32();
  v.previous_member_epoch = r.read_int32();
  const std::int8_t state = r.read_int8();
  v.state = state >= 0 && state <= 2 ? static_cast<consumer_member_state>(state) : consumer_member_state::unknown;
  v.assigned = read_topic_partitions(r);
  v.pending_revocation = read_topic_partitions(r);
  r.skip_tagged_fields();
  return v;
}

}  // namespace sluice::group_coordinator
