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

/// The broker config's layers as synonyms named `name`.
void add_broker_synonyms(std::vector<config_synonym>& out, const config::broker_config_def& def,
                         const config::broker_layers& broker) {
  for (auto& v : config::broker_synonyms(def, broker))
    out.push_back({std::string(def.name), std::move(v.value), v.source});
}

/// The entry's value and source from its first synonym; sensitive values hidden.
config_entry finish(config_entry e) {
  e.value = e.synonyms.front().value;
  e.source = e.synonyms.front().source;
  if (e.sensitive) {
    e.value.reset();
    for (auto& s : e.synonyms) s.value.reset();
  }
  return e;
}

}  // namespace

std::vector<config_entry> topic_config_entries(const std::map<std::string, std::string>& overrides,
                                               const std::optional<std::vector<std::string>>& keys,
                                               const config::broker_layers& broker) {
  std::vector<config_entry> out;
  for (const auto& def : config::definitions()) {
    if (!wanted(keys, def.name)) continue;
    config_entry e;
    e.name = std::string(def.name);
    e.read_only = def.read_only;
    e.sensitive = def.sensitive;
    e.type = kafka_type(def.type);
    e.documentation = def.doc;
    if (auto it = overrides.find(e.name); it != overrides.end())
      e.synonyms.push_back({e.name, it->second, config_source::dynamic_topic});
    // Kafka lists a topic config's broker synonyms after the override; one
    // without a broker config (the throttled replica lists) defaults under
    // its own name.
    if (const auto* b = config::find_broker(def.broker_key); b != nullptr && b->topic == &def)
      add_broker_synonyms(e.synonyms, *b, broker);
    else
      e.synonyms.push_back({e.name, std::string(def.default_value), config_source::default_config});
    out.push_back(finish(std::move(e)));
  }
  return out;
}

std::vector<config_entry> broker_config_entries(const config::broker_layers& broker,
                                                const std::optional<std::vector<std::string>>& keys) {
  std::vector<config_entry> out;
  for (const auto& def : config::broker_definitions()) {
    if (!wanted(keys, def.name)) continue;
    config_entry e;
    e.name = std::string(def.name);
    e.read_only = false;  // every one can be altered (the throttles only deleted)
    e.sensitive = def.topic != nullptr && def.topic->sensitive;
    e.type = kafka_type(def.type);
    e.documentation = def.doc;
    add_broker_synonyms(e.synonyms, def, broker);
    out.push_back(finish(std::move(e)));
  }
  return out;
}

std::vector<config_entry> default_broker_config_entries(const std::map<std::string, std::string>& cluster_defaults,
                                                        const std::optional<std::vector<std::string>>& keys) {
  config::broker_layers only_defaults;
  only_defaults.cluster = cluster_defaults;
  auto entries = broker_config_entries(only_defaults, keys);
  std::erase_if(entries, [](const config_entry& e) { return e.source != config_source::dynamic_default_broker; });
  // Kafka lists a dynamic default with itself as its only synonym.
  for (auto& e : entries) e.synonyms.resize(1);
  return entries;
}

}  // namespace sluice::gateway
