#include "common/config/broker_config.h"

#include <algorithm>

namespace sluice::config {
namespace {

constexpr std::string_view long_max = "9223372036854775807";

// Kafka's replication throttles (QuotaConfig): kafka-reassign-partitions
// --verify deletes them, --throttle sets them. Sluice does not throttle.
constexpr std::string_view throttle_doc =
    "Replication throttle (Kafka's QuotaConfig). Sluice does not throttle replication: DELETE is accepted, SET is "
    "refused.";
constexpr broker_config_def throttles[] = {
    {"follower.replication.throttled.rate", nullptr, long_max, config_type::int64, applied_by::nobody, throttle_doc},
    {"leader.replication.throttled.rate", nullptr, long_max, config_type::int64, applied_by::nobody, throttle_doc},
    {"replica.alter.log.dirs.io.max.bytes.per.second", nullptr, long_max, config_type::int64, applied_by::nobody,
     throttle_doc},
};

// Topic configs whose broker_key names no broker config: Kafka has no
// broker-level default for them.
bool topic_only(const config_def& d) {
  return d.broker_key.empty() || d.name == "leader.replication.throttled.replicas" ||
         d.name == "follower.replication.throttled.replicas";
}

std::vector<broker_config_def> build_table() {
  std::vector<broker_config_def> out(std::begin(throttles), std::end(throttles));
  for (const auto& d : definitions()) {
    if (topic_only(d)) continue;
    const auto applier =
        d.name == "unclean.leader.election.enable" ? applied_by::coordinator : applied_by::partition_server;
    out.push_back({d.broker_key, &d, d.default_value, d.type, applier, d.doc});
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  return out;
}

const std::vector<broker_config_def>& table() {
  static const std::vector<broker_config_def> t = build_table();
  return t;
}

}  // namespace

std::span<const broker_config_def> broker_definitions() { return table(); }

const broker_config_def* find_broker(std::string_view name) {
  const auto& t = table();
  auto it = std::lower_bound(t.begin(), t.end(), name,
                             [](const broker_config_def& d, std::string_view n) { return d.name < n; });
  if (it == t.end() || it->name != name) return nullptr;
  return &*it;
}

validation_error validate_broker(std::string_view name, std::string_view value, bool per_broker) {
  const auto* d = find_broker(name);
  if (d == nullptr)
    return {errc::unknown_key, "Cannot update these configs dynamically: " + std::string(name) +
                                   " (Sluice's dynamic broker configs are the broker defaults of topic configs, "
                                   "such as log.retention.ms and min.insync.replicas)"};
  switch (d->applier) {
    case applied_by::nobody:
      return {errc::read_only, "Sluice does not throttle replication: " + std::string(name) +
                                   " cannot be set (deleting it is accepted)"};
    case applied_by::coordinator:
      if (per_broker)
        return {errc::read_only, std::string(name) +
                                     " is applied by the coordinator for the whole cluster: set it as the cluster "
                                     "default (--entity-default) or per topic, not per broker"};
      break;
    case applied_by::partition_server:
      break;
  }
  return validate_value(*d->topic, name, value);
}

std::vector<sourced_value> broker_synonyms(const broker_config_def& def, const broker_layers& layers) {
  std::vector<sourced_value> out;
  const std::string name(def.name);
  auto add = [&](const std::map<std::string, std::string>& layer, config_source source) {
    if (auto it = layer.find(name); it != layer.end()) out.push_back({it->second, source});
  };
  add(layers.broker, config_source::dynamic_broker);
  add(layers.cluster, config_source::dynamic_default_broker);
  add(layers.static_flags, config_source::static_broker);
  out.push_back({std::string(def.default_value), config_source::default_config});
  return out;
}

std::map<std::string, std::string> broker_topic_defaults(const broker_layers& layers) {
  std::map<std::string, std::string> out;
  for (const auto& def : broker_definitions()) {
    if (def.topic == nullptr) continue;
    auto synonyms = broker_synonyms(def, layers);
    if (synonyms.front().source != config_source::default_config)
      out.emplace(std::string(def.topic->name), std::move(synonyms.front().value));
  }
  return out;
}

std::map<std::string, std::string> with_broker_defaults(const broker_layers& layers,
                                                        const std::map<std::string, std::string>& overrides) {
  auto out = broker_topic_defaults(layers);
  for (const auto& [k, v] : overrides) out[k] = v;
  return out;
}

}  // namespace sluice::config
