#include "services/group-coordinator/records/offsets_records.h"

#include <span>

#include "common/protocol/wire.h"
#include "services/group-coordinator/records/record_bytes.h"

namespace sluice::group_coordinator {

namespace {

constexpr std::int16_t offset_key_version = 1;
constexpr std::int16_t group_key_version = 2;
constexpr std::int16_t offset_value_version = 3;
constexpr std::int16_t group_value_version = 3;

using record_bytes::reader_of;
using record_bytes::to_string;

std::string as_string(const std::vector<std::byte>& b) {
  return std::string(reinterpret_cast<const char*>(b.data()), b.size());
}

void write_bytes(protocol::writer& w, const std::string& s) {
  w.write_bytes(std::span(reinterpret_cast<const std::byte*>(s.data()), s.size()));
}

}  // namespace

std::string encode_key(const offset_key& k) {
  protocol::writer w;
  w.write_int16(offset_key_version);
  w.write_string(k.group);
  w.write_string(k.topic);
  w.write_int32(k.partition);
  return to_string(w);
}

std::string encode_key(const group_key& k) {
  protocol::writer w;
  w.write_int16(group_key_version);
  w.write_string(k.group);
  return to_string(w);
}

std::string encode_value(const offset_value& v) {
  protocol::writer w;
  w.write_int16(offset_value_version);
  w.write_int64(v.offset);
  w.write_int32(v.leader_epoch);
  w.write_string(v.metadata);
  w.write_int64(v.commit_timestamp);
  return to_string(w);
}

std::string encode_value(const group_value& v) {
  protocol::writer w;
  w.write_int16(group_value_version);
  w.write_string(v.protocol_type);
  w.write_int32(v.generation);
  w.write_nullable_string(v.protocol);
  w.write_nullable_string(v.leader);
  w.write_int64(v.state_timestamp);
  w.write_int32(static_cast<std::int32_t>(v.members.size()));
  for (const auto& m : v.members) {
    w.write_string(m.member_id);
    w.write_nullable_string(m.instance_id);
    w.write_string(m.client_id);
    w.write_string(m.client_host);
    w.write_int32(m.rebalance_timeout_ms);
    w.write_int32(m.session_timeout_ms);
    write_bytes(w, m.subscription);
    write_bytes(w, m.assignment);
  }
  return to_string(w);
}

any_key decode_key(std::string_view bytes) {
  auto r = reader_of(bytes);
  const std::int16_t version = r.read_int16();
  if (version == 0 || version == 1) {
    offset_key k;
    k.group = r.read_string();
    k.topic = r.read_string();
    k.partition = r.read_int32();
    return k;
  }
  if (version == 2) return group_key{r.read_string()};
  return std::monostate{};
}

offset_value decode_offset_value(std::string_view bytes) {
  auto r = reader_of(bytes);
  const std::int16_t version = r.read_int16();
  offset_value v;
  v.offset = r.read_int64();
  if (version >= 3) v.leader_epoch = r.read_int32();
  v.metadata = version >= 4 ? r.read_compact_string() : r.read_string();
  v.commit_timestamp = r.read_int64();
  // v1's expire timestamp and v4's tagged fields follow; nothing we use.
  return v;
}

group_value decode_group_value(std::string_view bytes) {
  auto r = reader_of(bytes);
  const std::int16_t version = r.read_int16();
  if (version > group_value_version)
    throw protocol::decode_error("GroupMetadataValue version " + std::to_string(version) + " is not supported");
  group_value v;
  v.protocol_type = r.read_string();
  v.generation = r.read_int32();
  v.protocol = r.read_nullable_string();
  v.leader = r.read_nullable_string();
  if (version >= 2) v.state_timestamp = r.read_int64();
  const std::int32_t n = r.read_array_length();
  for (std::int32_t i = 0; i < n; ++i) {
    stored_member m;
    m.member_id = r.read_string();
    if (version >= 3) m.instance_id = r.read_nullable_string();
    m.client_id = r.read_string();
    m.client_host = r.read_string();
    if (version >= 1) m.rebalance_timeout_ms = r.read_int32();
    m.session_timeout_ms = r.read_int32();
    if (version == 0) m.rebalance_timeout_ms = m.session_timeout_ms;
    m.subscription = as_string(r.read_bytes());
    m.assignment = as_string(r.read_bytes());
    v.members.push_back(std::move(m));
  }
  return v;
}

}  // namespace sluice::group_coordinator
