#pragma once
// Where the transaction coordinator gets new producer ids: the cluster's
// producer id blocks (cluster::producer_id_pool in the service, a counter
// in unit tests).
#include <cstdint>
#include <functional>
#include <optional>

#include "common/protocol/error_code.h"

namespace sluice::group_coordinator::txn {

class producer_id_source {
 public:
  virtual ~producer_id_source() = default;
  /// Calls `done` on the owner's actor with a producer id never handed out
  /// before, or with none and the error to answer (COORDINATOR_NOT_AVAILABLE
  /// when the coordinator cannot be reached).
  virtual void next_producer_id(std::function<void(std::optional<std::int64_t>, protocol::error_code)> done) = 0;
};

}  // namespace sluice::group_coordinator::txn
