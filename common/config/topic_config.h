#pragma once
// Topic-level configs: the keys we accept, Kafka's defaults, and validation.
//
// Used by the gateway (DescribeConfigs: default vs override; CreateTopics,
// AlterConfigs and IncrementalAlterConfigs: INVALID_CONFIG), the coordinator
// (validates before storing overrides) and the partition server (log_config).
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>

#include "common/base/result.h"

namespace sluice::config {

enum class errc {
  ok = 0,
  unknown_key = 1,    // not a topic config we know
  invalid_value = 2,  // wrong type, out of range or not one of the allowed values
  read_only = 3,      // known but cannot be set per topic
};
const std::error_category& error_category() noexcept;
inline std::error_code make_error_code(errc e) noexcept { return {static_cast<int>(e), error_category()}; }

enum class config_type { boolean, int32, int64, string, list, dbl };

/// One known topic config key: its default (as Kafka prints it), type and doc.
struct config_def {
  std::string_view name;
  config_type type;
  std::string_view default_value;  // as DescribeConfigs shows it; may be "" (e.g. empty list)
  bool sensitive;
  bool read_only;                  // accepted in DescribeConfigs output only
  std::string_view doc;
  std::string_view broker_key;     // the broker config that supplies the default ("" if none)
};

/// Every topic config we know, sorted by name.
std::span<const config_def> definitions() noexcept;
/// nullptr for an unknown key.
const config_def* find(std::string_view key) noexcept;

/// Why a key/value pair was refused: errc + a message for the client
/// (Kafka puts it in error_message of the INVALID_CONFIG response).
struct validation_error {
  errc code = errc::ok;
  std::string message;
  explicit operator bool() const noexcept { return code != errc::ok; }
};

/// Checks one override. Empty result = acceptable.
validation_error validate(std::string_view key, std::string_view value);
/// Checks `value` against `def`'s type and range; messages name the config
/// `shown_name` (the topic key, or its broker synonym for broker configs).
validation_error validate_value(const config_def& def, std::string_view shown_name, std::string_view value);
/// Checks a whole set of overrides (each key, plus cross-key rules such as
/// message.timestamp.* and compact-only settings). First problem wins.
validation_error validate_all(const std::map<std::string, std::string>& overrides);

/// A boolean config's value as the logs and elections read it: true for
/// "true" in any case (what validation accepts), else false.
bool parse_boolean(std::string_view value);

bool is_sensitive(std::string_view key) noexcept;
bool is_read_only(std::string_view key) noexcept;

/// key -> default value, for every known key.
const std::map<std::string, std::string>& defaults();
/// Defaults with `overrides` laid over them (unknown keys in overrides are kept).
std::map<std::string, std::string> effective(const std::map<std::string, std::string>& overrides);

/// Typed values a partition server needs for its log, from effective configs.
/// Unparseable values fall back to the default (they were validated when set).
struct log_config {
  std::int64_t segment_bytes = 1073741824;
  std::int64_t segment_ms = 604800000;
  std::int32_t max_message_bytes = 1048588;
  bool log_append_time = false;             // message.timestamp.type == LogAppendTime
  std::int64_t flush_messages = INT64_MAX;
  std::int64_t flush_ms = INT64_MAX;
  std::int32_t index_interval_bytes = 4096;
  std::int32_t segment_index_bytes = 10485760;
  std::int64_t retention_ms = 604800000;
  std::int64_t retention_bytes = -1;
  bool cleanup_delete = true;
  bool cleanup_compact = false;
  std::int64_t min_compaction_lag_ms = 0;       // records younger than this are not compacted
  std::int64_t delete_retention_ms = 86400000;  // how long a tombstone outlives its key's older records
  double min_cleanable_dirty_ratio = 0.5;       // dirty bytes / cleanable bytes before the cleaner runs
  std::int32_t min_insync_replicas = 1;
  bool min_insync_replicas_set = false;     // topic override present (else the server default applies)
  bool unclean_leader_election = false;
  std::int64_t timestamp_before_max_ms = INT64_MAX;
  std::int64_t timestamp_after_max_ms = INT64_MAX;
};
log_config make_log_config(const std::map<std::string, std::string>& overrides);

/// Helper for protobuf maps (TopicInfo.configs) and similar.
template <class Map>
std::map<std::string, std::string> to_std_map(const Map& m) {
  return std::map<std::string, std::string>(m.begin(), m.end());
}

}  // namespace sluice::config

template <>
struct std::is_error_code_enum<sluice::config::errc> : std::true_type {};
