#pragma once
// The transaction coordinator inside the group coordinator service: the
// partitions of __transaction_state this instance serves. Partition p goes
// with partition p of __consumer_offsets (the same GroupShards entry, the
// same shard epoch), so group_service hands each shard it adopts or drops
// to this class too; no metadata of its own. A shard is replayed before it
// is served (COORDINATOR_LOAD_IN_PROGRESS meanwhile); the first instance
// owning a shard creates the topic if missing (50 partitions, compacted,
// replication factor like __consumer_offsets, min.insync.replicas 2 capped
// by it, as Kafka's transaction.state.log.* defaults).
//
// Runs on the group service's actor, like everything of the service.
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/cluster/cluster_client.h"
#include "common/cluster/coordinator_client.h"
#include "common/cluster/group_shards.h"
#include "common/cluster/producer_id_pool.h"
#include "services/group-coordinator/log_loader.h"
#include "services/group-coordinator/offsets_log.h"
#include "services/group-coordinator/txn/marker_rpc.h"
#include "services/group-coordinator/txn/pool_producer_ids.h"
#include "services/group-coordinator/txn/transaction_directory.h"

namespace sluice::group_coordinator::txn {

/// transaction.state.log.min.isr.
inline constexpr std::int32_t transaction_state_min_isr = 2;

struct transaction_service_settings {
  transaction_options transactions;
  std::int32_t replication_factor = 3;  // transaction.state.log.replication.factor: the offsets topic's
  std::int32_t segment_bytes = 104857600;
};

/// Owned by group_service, from its start to its end.
class transaction_service : public transaction_directory {
 public:
  using post_fn = std::function<void(std::function<void()>)>;
  transaction_service(transaction_service_settings settings, cluster::cluster_client& cluster,
                      cluster::coordinator_client& coordinator, post_fn post);
  ~transaction_service() override;

  /// The group service took partition `partition` over under `epoch`.
  void adopt(std::int32_t partition, std::int64_t epoch);
  /// ...or it moved away.
  void drop(std::int32_t partition);
  void on_view(std::shared_ptr<const cluster::metadata_view> view);
  /// Every ~100 ms: loads, markers, timeouts, expiry.
  void tick();

  transaction_lookup find(const std::string& transactional_id) override;
  std::vector<transaction_shard*> loaded() override;
  bool loading() override;

 private:
  struct slot {
    std::unique_ptr<transaction_shard> shard;
    std::unique_ptr<log_loader> loader;
  };

  void ensure_topic();

  transaction_service_settings settings_;
  cluster::cluster_client& cluster_;
  cluster::coordinator_client& coordinator_;
  offsets_log log_;
  marker_rpc markers_;
  cluster::producer_id_pool pool_;
  pool_producer_ids ids_;
  std::shared_ptr<const cluster::metadata_view> view_;
  std::map<std::int32_t, slot> slots_;
  std::chrono::steady_clock::time_point next_create_attempt_{};
};

}  // namespace sluice::group_coordinator::txn
