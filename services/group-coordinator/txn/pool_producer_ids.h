#pragma once
// The producer_id_source of the service: ids from the cluster's producer id
// blocks (cluster::producer_id_pool), answered on the service's actor.
#include <functional>

#include "common/cluster/producer_id_pool.h"
#include "services/group-coordinator/txn/producer_id_source.h"

namespace sluice::group_coordinator::txn {

/// Owned by the transaction service; the pool must outlive it.
class pool_producer_ids : public producer_id_source {
 public:
  using post_fn = std::function<void(std::function<void()>)>;
  pool_producer_ids(cluster::producer_id_pool& pool, post_fn post) : pool_(pool), post_(std::move(post)) {}

  void next_producer_id(std::function<void(std::optional<std::int64_t>, protocol::error_code)> done) override;

 private:
  cluster::producer_id_pool& pool_;
  post_fn post_;
};

}  // namespace sluice::group_coordinator::txn
