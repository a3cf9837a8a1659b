#include "common/config/topic_config.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <limits>
#include <string>
#include <vector>

namespace sluice::config {
namespace {

constexpr std::string_view long_max = "9223372036854775807";

// Sorted by name (find() binary-searches). Defaults are Kafka 3.x's, printed
// as Kafka's DescribeConfigs prints them.
constexpr config_def defs[] = {
    {"cleanup.policy", config_type::list, "delete", false, false,
     "\"delete\" removes old segments by retention.ms/retention.bytes; \"compact\" keeps the latest value per key "
     "(the partition server's log cleaner rewrites sealed segments).",
     "log.cleanup.policy"},
    {"compression.type", config_type::string, "producer", false, false,
     "Batches are stored as the producer sent them; every value currently behaves like \"producer\".",
     "compression.type"},
    {"delete.retention.ms", config_type::int64, "86400000", false, false,
     "How long delete tombstones are kept on compacted topics.", "log.cleaner.delete.retention.ms"},
    {"file.delete.delay.ms", config_type::int64, "60000", false, false,
     "Delay before a deleted segment is removed from disk.", "log.segment.delete.delay.ms"},
    {"flush.messages", config_type::int64, long_max, false, false,
     "fsync the log after this many messages (default: leave it to the OS and replication).",
     "log.flush.interval.messages"},
    {"flush.ms", config_type::int64, long_max, false, false, "fsync the log at least this often.",
     "log.flush.interval.ms"},
    {"follower.replication.throttled.replicas", config_type::list, "", false, false,
     "Replicas throttled on the follower side (accepted, no effect yet).",
     "follower.replication.throttled.replicas"},
    {"index.interval.bytes", config_type::int32, "4096", false, false,
     "Bytes of log between two entries of the sparse offset index.", "log.index.interval.bytes"},
    {"leader.replication.throttled.replicas", config_type::list, "", false, false,
     "Replicas throttled on the leader side (accepted, no effect yet).", "leader.replication.throttled.replicas"},
    {"max.compaction.lag.ms", config_type::int64, long_max, false, false,
     "Longest time a message stays ineligible for compaction (stored only: the cleaner goes by the dirty ratio).",
     "log.cleaner.max.compaction.lag.ms"},
    {"max.message.bytes", config_type::int32, "1048588", false, false,
     "Largest record batch (after compression) the topic accepts.", "message.max.bytes"},
    {"message.downconversion.enable", config_type::boolean, "true", false, false,
     "Accepted for compatibility; Sluice never down-converts.", "log.message.downconversion.enable"},
    {"message.timestamp.after.max.ms", config_type::int64, long_max, false, false,
     "How far in the future a CreateTime timestamp may be.", "log.message.timestamp.after.max.ms"},
    {"message.timestamp.before.max.ms", config_type::int64, long_max, false, false,
     "How far in the past a CreateTime timestamp may be.", "log.message.timestamp.before.max.ms"},
    {"message.timestamp.difference.max.ms", config_type::int64, long_max, false, false,
     "Deprecated form of message.timestamp.before.max.ms.", "log.message.timestamp.difference.max.ms"},
    {"message.timestamp.type", config_type::string, "CreateTime", false, false,
     "CreateTime keeps the producer's timestamps; LogAppendTime replaces them with the broker's clock.",
     "log.message.timestamp.type"},
    {"min.cleanable.dirty.ratio", config_type::dbl, "0.5", false, false,
     "Dirty ratio at which the log cleaner compacts.", "log.cleaner.min.cleanable.ratio"},
    {"min.compaction.lag.ms", config_type::int64, "0", false, false,
     "Shortest time a message stays uncompacted.", "log.cleaner.min.compaction.lag.ms"},
    {"min.insync.replicas", config_type::int32, "1", false, false,
     "Replicas that must have a write for acks=all to succeed.", "min.insync.replicas"},
    {"preallocate", config_type::boolean, "false", false, false, "Accepted for compatibility; no effect.",
     "log.preallocate"},
    {"retention.bytes", config_type::int64, "-1", false, false,
     "Largest size of a partition's log before old segments are deleted (-1: no limit).", "log.retention.bytes"},
    {"retention.ms", config_type::int64, "604800000", false, false,
     "How long segments are kept before deletion (-1: forever).", "log.retention.ms"},
    {"segment.bytes", config_type::int32, "1073741824", false, false,
     "Size at which a log segment is rolled.", "log.segment.bytes"},
    {"segment.index.bytes", config_type::int32, "10485760", false, false,
     "Size of a segment's offset and time index files.", "log.index.size.max.bytes"},
    {"segment.jitter.ms", config_type::int64, "0", false, false,
     "Random jitter subtracted from segment.ms.", "log.roll.jitter.ms"},
    {"segment.ms", config_type::int64, "604800000", false, false,
     "Age after which a segment is rolled even if not full.", "log.roll.ms"},
    {"unclean.leader.election.enable", config_type::boolean, "false", false, false,
     "Allow a replica outside the ISR to become leader (can lose data).", "unclean.leader.election.enable"},
};

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

template <class T>
std::optional<T> parse_int(std::string_view s) {
  s = trim(s);
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  T v{};
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc{} || p != s.data() + s.size()) return std::nullopt;
  return v;
}

std::optional<double> parse_double(std::string_view s) {
  s = trim(s);
  if (s.empty()) return std::nullopt;
  std::string copy(s);
  char* end = nullptr;
  double v = std::strtod(copy.c_str(), &end);
  if (end != copy.c_str() + copy.size()) return std::nullopt;
  return v;
}

std::optional<bool> parse_bool(std::string_view s) {
  s = trim(s);
  std::string lower(s);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  if (lower == "true") return true;
  if (lower == "false") return false;
  return std::nullopt;
}

std::vector<std::string_view> split_list(std::string_view s) {
  std::vector<std::string_view> out;
  while (true) {
    auto comma = s.find(',');
    out.push_back(trim(s.substr(0, comma)));
    if (comma == std::string_view::npos) break;
    s.remove_prefix(comma + 1);
  }
  return out;
}

validation_error invalid(std::string_view key, std::string_view value, std::string_view why) {
  return {errc::invalid_value,
          "Invalid value " + std::string(value) + " for configuration " + std::string(key) + ": " + std::string(why)};
}

template <class T>
validation_error check_range(std::string_view key, std::string_view value, T min) {
  auto v = parse_int<T>(value);
  if (!v) return invalid(key, value, std::is_same_v<T, std::int32_t> ? "Not a number of type INT" : "Not a number of type LONG");
  if (*v < min) return invalid(key, value, "Value must be at least " + std::to_string(min));
  return {};
}

validation_error check_throttled(std::string_view key, std::string_view value) {
  auto t = trim(value);
  if (t.empty() || t == "*") return {};
  for (auto item : split_list(t)) {
    auto colon = item.find(':');
    if (colon == std::string_view::npos || !parse_int<std::int32_t>(item.substr(0, colon)) ||
        !parse_int<std::int32_t>(item.substr(colon + 1)))
      return invalid(key, value, "must be '*' or a list of partition:broker pairs");
  }
  return {};
}

}  // namespace

const std::error_category& error_category() noexcept {
  struct category : std::error_category {
    const char* name() const noexcept override { return "sluice.config"; }
    std::string message(int c) const override {
      switch (static_cast<errc>(c)) {
        case errc::ok: return "ok";
        case errc::unknown_key: return "unknown config";
        case errc::invalid_value: return "invalid config value";
        case errc::read_only: return "read-only config";
      }
      return "unknown";
    }
  };
  static const category c;
  return c;
}

std::span<const config_def> definitions() noexcept { return defs; }

const config_def* find(std::string_view key) noexcept {
  auto it = std::lower_bound(std::begin(defs), std::end(defs), key,
                             [](const config_def& d, std::string_view k) { return d.name < k; });
  if (it == std::end(defs) || it->name != key) return nullptr;
  return &*it;
}

bool parse_boolean(std::string_view value) { return parse_bool(value).value_or(false); }

bool is_sensitive(std::string_view key) noexcept {
  auto d = find(key);
  return d && d->sensitive;
}
bool is_read_only(std::string_view key) noexcept {
  auto d = find(key);
  return d && d->read_only;
}

validation_error validate(std::string_view key, std::string_view value) {
  const config_def* d = find(key);
  if (!d) return {errc::unknown_key, "Unknown topic config name: " + std::string(key)};
  if (d->read_only) return {errc::read_only, "Config " + std::string(key) + " cannot be set per topic"};
  return validate_value(*d, key, value);
}

validation_error validate_value(const config_def& def, std::string_view shown_name, std::string_view value) {
  // Branches go by the topic key; messages name the key the client used.
  const std::string_view key = def.name;
  const std::string_view shown = shown_name;
  if (key == "cleanup.policy") {
    if (trim(value).empty()) return invalid(shown, value, "must be one of delete, compact or compact,delete");
    for (auto p : split_list(value))
      if (p != "delete" && p != "compact") return invalid(shown, value, "String must be one of: compact, delete");
    return {};
  }
  if (key == "compression.type") {
    static constexpr std::string_view ok[] = {"producer", "uncompressed", "gzip", "snappy", "lz4", "zstd"};
    if (std::find(std::begin(ok), std::end(ok), trim(value)) == std::end(ok))
      return invalid(shown, value, "String must be one of: uncompressed, zstd, lz4, snappy, gzip, producer");
    return {};
  }
  if (key == "message.timestamp.type") {
    auto v = trim(value);
    if (v != "CreateTime" && v != "LogAppendTime")
      return invalid(shown, value, "String must be one of: CreateTime, LogAppendTime");
    return {};
  }
  if (key == "min.cleanable.dirty.ratio") {
    auto v = parse_double(value);
    if (!v) return invalid(shown, value, "Not a number of type DOUBLE");
    if (*v < 0.0 || *v > 1.0) return invalid(shown, value, "Value must be between 0 and 1");
    return {};
  }
  if (key == "follower.replication.throttled.replicas" || key == "leader.replication.throttled.replicas")
    return check_throttled(shown, value);

  switch (def.type) {
    case config_type::boolean:
      if (!parse_bool(value)) return invalid(shown, value, "Expected value to be either true or false");
      return {};
    case config_type::int32: {
      // Minimums follow Kafka 3.x's LogConfig validators.
      std::int32_t min = 0;
      if (key == "segment.bytes") min = 14;        // LegacyRecord.RECORD_OVERHEAD_V0
      if (key == "segment.index.bytes") min = 4;
      if (key == "min.insync.replicas") min = 1;
      return check_range<std::int32_t>(shown, value, min);
    }
    case config_type::int64: {
      std::int64_t min = 0;
      if (key == "retention.ms") min = -1;
      if (key == "retention.bytes") min = std::numeric_limits<std::int64_t>::min();
      if (key == "segment.ms" || key == "flush.messages" || key == "max.compaction.lag.ms") min = 1;
      return check_range<std::int64_t>(shown, value, min);
    }
    case config_type::list:
    case config_type::string:
    case config_type::dbl:
      return {};
  }
  return {};
}

validation_error validate_all(const std::map<std::string, std::string>& overrides) {
  for (const auto& [k, v] : overrides)
    if (auto e = validate(k, v)) return e;
  auto eff = effective(overrides);
  auto min_lag = parse_int<std::int64_t>(eff["min.compaction.lag.ms"]);
  auto max_lag = parse_int<std::int64_t>(eff["max.compaction.lag.ms"]);
  if (min_lag && max_lag && *min_lag > *max_lag)
    return {errc::invalid_value, "conflict topic config setting min.compaction.lag.ms (" + std::to_string(*min_lag) +
                                     ") > max.compaction.lag.ms (" + std::to_string(*max_lag) + ")"};
  return {};
}

const std::map<std::string, std::string>& defaults() {
  static const std::map<std::string, std::string> m = [] {
    std::map<std::string, std::string> out;
    for (const auto& d : defs) out.emplace(d.name, d.default_value);
    return out;
  }();
  return m;
}

std::map<std::string, std::string> effective(const std::map<std::string, std::string>& overrides) {
  auto out = defaults();
  for (const auto& [k, v] : overrides) out[k] = v;
  return out;
}

log_config make_log_config(const std::map<std::string, std::string>& overrides) {
  log_config c;
  auto get = [&](const char* key) -> std::string_view {
    auto it = overrides.find(key);
    return it == overrides.end() ? std::string_view{} : std::string_view(it->second);
  };
  auto set_i64 = [&](const char* key, std::int64_t& out) {
    if (auto v = parse_int<std::int64_t>(get(key))) out = *v;
  };
  auto set_i32 = [&](const char* key, std::int32_t& out) {
    if (auto v = parse_int<std::int32_t>(get(key))) out = *v;
  };
  auto set_bool = [&](const char* key, bool& out) {
    if (auto v = parse_bool(get(key))) out = *v;
  };
  std::int32_t segment_bytes = static_cast<std::int32_t>(c.segment_bytes);
  set_i32("segment.bytes", segment_bytes);
  c.segment_bytes = segment_bytes;
  set_i64("segment.ms", c.segment_ms);
  set_i32("max.message.bytes", c.max_message_bytes);
  c.log_append_time = trim(get("message.timestamp.type")) == "LogAppendTime";
  set_i64("flush.messages", c.flush_messages);
  set_i64("flush.ms", c.flush_ms);
  set_i32("index.interval.bytes", c.index_interval_bytes);
  set_i32("segment.index.bytes", c.segment_index_bytes);
  set_i64("retention.ms", c.retention_ms);
  set_i64("retention.bytes", c.retention_bytes);
  if (auto p = get("cleanup.policy"); !trim(p).empty()) {
    c.cleanup_delete = c.cleanup_compact = false;
    for (auto item : split_list(p)) {
      if (item == "delete") c.cleanup_delete = true;
      if (item == "compact") c.cleanup_compact = true;
    }
  }
  set_i64("min.compaction.lag.ms", c.min_compaction_lag_ms);
  set_i64("delete.retention.ms", c.delete_retention_ms);
  if (auto v = parse_double(get("min.cleanable.dirty.ratio"))) c.min_cleanable_dirty_ratio = *v;
  set_i32("min.insync.replicas", c.min_insync_replicas);
  c.min_insync_replicas_set = !trim(get("min.insync.replicas")).empty();
  set_bool("unclean.leader.election.enable", c.unclean_leader_election);
  // The deprecated key applies unless the new one is set (Kafka 3.6 rule).
  set_i64("message.timestamp.difference.max.ms", c.timestamp_before_max_ms);
  set_i64("message.timestamp.before.max.ms", c.timestamp_before_max_ms);
  set_i64("message.timestamp.after.max.ms", c.timestamp_after_max_ms);
  return c;
}

}  // namespace sluice::config
