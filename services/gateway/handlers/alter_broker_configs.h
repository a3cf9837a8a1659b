#pragma once
// Shared by AlterConfigs and IncrementalAlterConfigs: sends one BROKER
// resource's change (the cluster default, or one broker id) to the
// coordinator (method 14) and waits until this gateway's metadata shows it.
#include <functional>
#include <map>
#include <string>

#include "services/gateway/handlers/alter_topic_configs.h"

namespace sluice::gateway {

/// The AlterBrokerConfigsRequest target for a BROKER resource name: "" is
/// the cluster default, an integer >= 0 one broker id; nullopt otherwise.
std::optional<cluster::cv1::AlterBrokerConfigsRequest> broker_config_target(const std::string& resource_name);

/// The dynamic values the resource of `request` holds in `view`.
std::map<std::string, std::string> dynamic_broker_configs(const cluster::metadata_view& view,
                                                          const cluster::cv1::AlterBrokerConfigsRequest& request);

/// `expected` is the resource's dynamic values once the change applies;
/// `done` runs on the io_context.
void alter_broker_configs(gateway_services& services, cluster::cv1::AlterBrokerConfigsRequest request,
                          std::map<std::string, std::string> expected, std::function<void(alter_outcome)> done);

}  // namespace sluice::gateway
