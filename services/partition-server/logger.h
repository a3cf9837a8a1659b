#pragma once
// The partition server's own named logger: its lines say "partition-server",
// apart from the storage library's ("storage") and the shared modules'.
#include <memory>

#include "common/logging/logger.h"

namespace sluice::partition_server {

/// Lifecycle, replicas hosted, RPC failures.
inline std::shared_ptr<spdlog::logger> log() {
  static auto logger = logging::get("partition-server");
  return logger;
}

}  // namespace sluice::partition_server
