#pragma once
// After CreateTopics or CreatePartitions: waits until the partition servers
// actually serve the new partitions (the metadata reaches them a moment
// after it reaches this gateway), so the client's first produce does not
// bounce with a retriable error.
#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "services/gateway/request_context.h"

namespace sluice::gateway {

/// Runs `done` on the io_context once every partition of `topics` answers a
/// ListOffsets from its partition server, or when `timeout` has passed.
void await_served(gateway_services& services, std::vector<std::string> topics, std::chrono::milliseconds timeout,
                  std::function<void()> done);

}  // namespace sluice::gateway
