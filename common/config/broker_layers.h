#pragma once
// The places a broker config's value can come from, for one broker.
#include <map>
#include <string>

namespace sluice::config {

/// A broker's config layers, by broker config name (log.retention.ms, ...),
/// most specific first. Built from the metadata
/// (cluster::metadata_view::broker_layers) or by tests; resolved by
/// common/config/broker_config.h. A plain value: copy freely.
struct broker_layers {
  std::map<std::string, std::string> broker;        // this broker id's dynamic configs
  std::map<std::string, std::string> cluster;       // the cluster default's dynamic configs
  std::map<std::string, std::string> static_flags;  // service flags that differ from Kafka's defaults
};

}  // namespace sluice::config
