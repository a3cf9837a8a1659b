#include "services/gateway/handlers/topic_configs.h"

#include <algorithm>

#include "common/config/topic_config.h"

namespace sluice::gateway {
namespace {

// Kafka's ConfigEntry.ConfigType.
std::int8_t kafka_type(config::config_type t) {
  switch (t) {
    case config::config_type::boolean: return 1;
    case config::config_type::string: return 2;
    case config::config_type::int32: return 3;
    case config::config_type::int64: return 5;
    case config::config_type::dbl: return 6;
    case config::config_type::list: return 7;
  }
  return 0;
}

bool wanted(const std::optional<std::vector<std::string>>& keys, std::string_view name) {
  return !keys || std::find(keys->begin(), keys->end(), name) != keys->end();
}

}  // namespace

std::vector<config_entry> topic_config_entries(const std::map<std::string, std::string>& overrides,
                                               const std::optional<std::vector<std::string>>& keys) {
  std::vector<config_entry> out;
  for (const auto& def : config::definitions()) {
    if (!wanted(keys, def.name)) continue;
    config_entry e;
    e.name = std::string(def.name);
    auto it = overrides.find(e.name);
    bool overridden = it != overrides.end();
    e.value = overridden ? it->second : std::string(def.default_value);
    e.source = overridden ? config_source::dynamic_topic : config_source::default_config;
    e.read_only = def.read_only;
    e.sensitive = def.sensitive;
    if (def.sensitive) e.value.reset();
    e.type = kafka_type(def.type);
    e.documentation = def.doc;
    if (overridden) e.default_value = std::string(def.default_value);
    e.default_name = def.broker_key;
    out.push_back(std::move(e));
  }
  return out;
}

std::vector<config_entry> broker_config_entries(const std::optional<std::vector<std::string>>& keys) {
  std::vector<config_entry> out;
  for (const auto& def : config::definitions()) {
    if (def.broker_key.empty() || !wanted(keys, def.broker_key)) continue;
    config_entry e;
    e.name = std::string(def.broker_key);
    e.value = std::string(def.default_value);
    e.source = config_source::default_config;
    e.read_only = true;
    e.sensitive = def.sensitive;
    if (def.sensitive) e.value.reset();
    e.type = kafka_type(def.type);
    e.documentation = def.doc;
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace sluice::gateway
