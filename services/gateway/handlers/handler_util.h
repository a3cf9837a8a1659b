#pragma once
// Small pieces several handlers share.
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "common/protocol/wire.h"

namespace sluice::gateway {

/// Kafka's UUID from the 16 raw bytes the coordinator stores (all zero when
/// the bytes are missing, which Kafka reads as "no id").
inline protocol::uuid to_uuid(std::string_view raw) {
  protocol::uuid id{};
  if (raw.size() == id.bytes.size()) std::memcpy(id.bytes.data(), raw.data(), raw.size());
  return id;
}

inline std::string_view raw_bytes(const protocol::uuid& id) {
  return {reinterpret_cast<const char*>(id.bytes.data()), id.bytes.size()};
}

/// Fetch's and ListOffsets' isolation_level (Kafka's IsolationLevel ids).
inline constexpr std::int8_t read_uncommitted = 0;
inline constexpr std::int8_t read_committed = 1;

/// Kafka's IsolationLevel.forId throws on any other id, and the request
/// handler turns that into an error answer; we answer INVALID_REQUEST.
inline bool is_known_isolation_level(std::int8_t level) {
  return level == read_uncommitted || level == read_committed;
}

/// Kafka's rule for topic names (Topic.validate): 1–249 characters of
/// [a-zA-Z0-9._-], and not "." or "..".
inline bool is_valid_topic_name(std::string_view name) {
  if (name.empty() || name.size() > 249 || name == "." || name == "..") return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
              c == '-';
    if (!ok) return false;
  }
  return true;
}

}  // namespace sluice::gateway
