#pragma once
// Shared by AlterConfigs and IncrementalAlterConfigs: sends one topic's
// config change to the coordinator and waits until the new overrides are in
// this gateway's metadata.
#include <functional>
#include <map>
#include <optional>
#include <string>

#include "common/cluster/coordinator_client.h"
#include "common/protocol/error_code.h"
#include "services/gateway/request_context.h"

namespace sluice::gateway {

struct alter_outcome {
  protocol::error_code error = protocol::error_code::none;
  std::optional<std::string> message;
};

/// `expected` is the topic's override map once the change applies (used to
/// know when this gateway sees it); `done` runs on the io_context.
void alter_topic_configs(gateway_services& services, cluster::cv1::AlterTopicConfigsRequest request,
                         std::map<std::string, std::string> expected, std::function<void(alter_outcome)> done);

}  // namespace sluice::gateway
