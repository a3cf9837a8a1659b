#pragma once
// Config entries as DescribeConfigs and CreateTopics (v5+) report them,
// built from the topic config table (common/config/topic_config.h).
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/protocol/wire.h"

namespace sluice::gateway {

// Kafka's ConfigResource.Type values the config APIs accept.
inline constexpr std::int8_t topic_resource = 2;
inline constexpr std::int8_t broker_resource = 4;

// Kafka's DescribeConfigsResponse ConfigSource values.
enum class config_source : std::int8_t { dynamic_topic = 1, static_broker = 4, default_config = 5 };

struct config_entry {
  std::string name;
  std::optional<std::string> value;  // null for sensitive configs
  bool read_only = false;
  bool sensitive = false;
  config_source source = config_source::default_config;
  std::int8_t type = 0;  // Kafka's ConfigType
  std::string_view documentation;
  // For synonyms: the default a topic override hides.
  std::optional<std::string> default_value;
  std::string_view default_name;  // the broker config that supplies the default
};

/// Every topic config (or only `keys`, when given) with `overrides` applied.
std::vector<config_entry> topic_config_entries(const std::map<std::string, std::string>& overrides,
                                               const std::optional<std::vector<std::string>>& keys);
/// The broker-level defaults topic configs come from (read-only here).
std::vector<config_entry> broker_config_entries(const std::optional<std::vector<std::string>>& keys);

}  // namespace sluice::gateway
