#pragma once
// How a partition leader asks the transaction coordinator about a
// producer's transaction before writing a transactional batch that opens
// one in its partition (KIP-890): verify that the partition is in the
// producer's ongoing transaction, or (transaction version 2) have it added.
#include <functional>
#include <memory>

#include "common/cluster/transaction_checker.h"

namespace sluice::partition_server {

/// The partition actors' one way to the transaction coordinator, behind an
/// interface so the actor path is tested with a fake coordinator.
/// Implementations are thread-safe: every partition actor of the server
/// calls the same one. `done` runs exactly once, on any thread (the caller
/// posts the answer back to its actor).
class txn_verifier {
 public:
  virtual ~txn_verifier() = default;
  virtual void check(cluster::txn_check_request request, std::function<void(cluster::txn_check_result)> done) = 0;
};

using txn_verifier_ptr = std::shared_ptr<txn_verifier>;

/// The production verifier: cluster::transaction_checker (AddPartitionsToTxn
/// v5, broker form, to the group-coordinator instance owning the id's
/// shard). Owned by partition_server, which drops it before its
/// cluster_client.
class coordinator_txn_verifier final : public txn_verifier {
 public:
  explicit coordinator_txn_verifier(cluster::cluster_client& cluster) : checker_(cluster) {}
  void check(cluster::txn_check_request request, std::function<void(cluster::txn_check_result)> done) override {
    checker_.check(std::move(request), std::move(done));
  }

 private:
  cluster::transaction_checker checker_;
};

}  // namespace sluice::partition_server
