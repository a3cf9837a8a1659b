#pragma once
// The transaction shards this instance serves, as the API handlers see them
// (implemented by txn/transaction_service; a fake in tests).
#include <string>
#include <vector>

#include "services/group-coordinator/txn/transaction_shard.h"

namespace sluice::group_coordinator::txn {

/// The shard that holds a transactional id on this instance, or why there is none.
struct transaction_lookup {
  transaction_shard* shard = nullptr;
  error_code error = error_code::none;  // not_coordinator, coordinator_load_in_progress
};

class transaction_directory {
 public:
  virtual ~transaction_directory() = default;
  virtual transaction_lookup find(const std::string& transactional_id) = 0;
  /// Every shard loaded and served here.
  virtual std::vector<transaction_shard*> loaded() = 0;
  /// Whether a shard of ours is still replaying (ListTransactions then
  /// answers COORDINATOR_LOAD_IN_PROGRESS, as Kafka).
  virtual bool loading() = 0;
};

}  // namespace sluice::group_coordinator::txn
