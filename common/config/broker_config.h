#pragma once
// Dynamic broker configs: the broker-level defaults of the topic configs
// (log.retention.ms, min.insync.replicas, unclean.leader.election.enable...),
// set for the whole cluster (Kafka's --entity-default) or per broker id, and
// how one broker's effective value is found: its own dynamic value > the
// cluster default > the service's static flag > Kafka's default.
//
// Used by the coordinator (validates method 14 before storing), the gateway
// (DescribeConfigs: values, sources and synonyms) and the partition server
// (the defaults its logs use).
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/config/broker_layers.h"
#include "common/config/topic_config.h"

namespace sluice::config {

/// Kafka's DescribeConfigsResponse ConfigSource: the layer a value comes from.
enum class config_source : std::int8_t {
  dynamic_topic = 1,           // DYNAMIC_TOPIC_CONFIG
  dynamic_broker = 2,          // DYNAMIC_BROKER_CONFIG
  dynamic_default_broker = 3,  // DYNAMIC_DEFAULT_BROKER_CONFIG
  static_broker = 4,           // STATIC_BROKER_CONFIG
  default_config = 5,          // DEFAULT_CONFIG
};

/// Which service acts on a broker config's value.
enum class applied_by {
  partition_server,  // the log settings and min.insync.replicas of every replica it hosts
  coordinator,       // unclean.leader.election.enable: its elections
  nobody,            // replication throttles: known so DELETE works, refused when set
};

/// One broker config Sluice knows.
struct broker_config_def {
  std::string_view name;
  const config_def* topic = nullptr;  // the topic config it is the default of; nullptr for throttles
  std::string_view default_value;     // Kafka's default, as DescribeConfigs prints it
  config_type type = config_type::string;
  applied_by applier = applied_by::partition_server;
  std::string_view doc;
};

/// Every broker config we know, sorted by name.
std::span<const broker_config_def> broker_definitions();
/// nullptr for a name Sluice does not know as a dynamic broker config.
const broker_config_def* find_broker(std::string_view name);

/// Checks a SET of broker config `name` to `value`, for one broker id
/// (`per_broker`) or the cluster default. unknown_key: not a dynamic broker
/// config here; read_only: a throttle (Sluice does not throttle replication)
/// or a coordinator config set for one broker; invalid_value: a bad value.
validation_error validate_broker(std::string_view name, std::string_view value, bool per_broker);

/// A value and the layer it comes from.
struct sourced_value {
  std::string value;
  config_source source = config_source::default_config;
  friend bool operator==(const sourced_value&, const sourced_value&) = default;
};

/// Every layer that sets `def` for this broker, most specific first, ending
/// with Kafka's default: DescribeConfigs' synonyms in Kafka's order. The
/// first is the effective value.
std::vector<sourced_value> broker_synonyms(const broker_config_def& def, const broker_layers& layers);

/// Topic key -> this broker's value for each topic config whose broker
/// synonym some layer sets (Kafka's defaults left out).
std::map<std::string, std::string> broker_topic_defaults(const broker_layers& layers);
/// A topic's `overrides` laid over broker_topic_defaults: what the topic's
/// logs on this broker use (make_log_config of it).
std::map<std::string, std::string> with_broker_defaults(const broker_layers& layers,
                                                        const std::map<std::string, std::string>& overrides);

}  // namespace sluice::config
