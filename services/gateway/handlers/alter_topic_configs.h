#pragma once
// Shared by AlterConfigs and IncrementalAlterConfigs: sends one topic's
// config change to the coordinator and waits until the new overrides are in
// this gateway's metadata (alter_broker_configs.h: the same for brokers).
#include <functional>
#include <map>
#include <optional>
#include <string>

#include "common/cluster/coordinator_client.h"
#include "common/cluster/metadata_view.h"
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

/// The coordinator's answer `outcome` to a config change: `done` at once when
/// it is an error or `validate_only`, else once this gateway's metadata shows
/// the change (`applied`) or the admin propagation timeout passed.
void await_config_change(gateway_services& services, alter_outcome outcome, bool validate_only,
                         std::function<bool(const cluster::metadata_view&)> applied,
                         std::function<void(alter_outcome)> done);

/// The outcome of a coordinator call that failed as a call (no answer).
alter_outcome coordinator_unreachable(const std::error_code& e);

}  // namespace sluice::gateway
