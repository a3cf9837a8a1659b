#pragma once
// Config entries as DescribeConfigs and CreateTopics (v5+) report them:
// topic configs (overrides over one broker's defaults) and broker configs
// (common/config/broker_config.h), each with its synonyms in Kafka's order.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/config/broker_config.h"

namespace sluice::gateway {

// Kafka's ConfigResource.Type values the config APIs accept.
inline constexpr std::int8_t topic_resource = 2;
inline constexpr std::int8_t broker_resource = 4;

using config::config_source;

/// One layer that sets a config (DescribeConfigs' synonyms).
struct config_synonym {
  std::string name;                  // the topic key, or the broker config it defaults from
  std::optional<std::string> value;  // null for sensitive configs
  config_source source = config_source::default_config;
};

struct config_entry {
  std::string name;
  std::optional<std::string> value;  // null for sensitive configs
  bool read_only = false;
  bool sensitive = false;
  config_source source = config_source::default_config;
  std::int8_t type = 0;  // Kafka's ConfigType
  std::string_view documentation;
  /// Every layer that sets it, most specific first; the first is the
  /// entry's own value and source.
  std::vector<config_synonym> synonyms;
};

/// Every topic config (or only `keys`, when given) with `overrides` over the
/// defaults of the broker whose layers are `broker` (empty: Kafka's).
std::vector<config_entry> topic_config_entries(const std::map<std::string, std::string>& overrides,
                                               const std::optional<std::vector<std::string>>& keys,
                                               const config::broker_layers& broker = {});
/// One broker id's configs (resource name "<id>"): every dynamic broker
/// config (or only `keys`) with its effective value and where it comes from.
std::vector<config_entry> broker_config_entries(const config::broker_layers& broker,
                                                const std::optional<std::vector<std::string>>& keys);
/// The cluster default (resource name ""): only the values set, as Kafka
/// answers for its dynamic default configs.
std::vector<config_entry> default_broker_config_entries(const std::map<std::string, std::string>& cluster_defaults,
                                                        const std::optional<std::vector<std::string>>& keys);

}  // namespace sluice::gateway
