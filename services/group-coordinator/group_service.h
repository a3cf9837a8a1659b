#pragma once
// The group coordinator as a service: it serves the partitions of
// __consumer_offsets the coordinator assigns it (mv1::GroupShards), replays
// each one before serving it (COORDINATOR_LOAD_IN_PROGRESS meanwhile),
// answers the Kafka group requests gateways forward, and drops a partition
// the moment the metadata gives it to another instance. Every read and
// write carries the shard's epoch, which the partition servers check: once
// our replay has started, the previous owner can no longer write.
//
// Everything here runs on one CAF actor (group_service_actor): RPC replies,
// metadata changes and timers are posted to it, so no state is shared
// between threads.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/cluster/cluster_client.h"
#include "common/cluster/coordinator_client.h"
#include "common/cluster/transaction_checker.h"
#include "common/messaging/rpc_server.h"
#include "services/group-coordinator/api/api_context.h"
#include "services/group-coordinator/offsets_log.h"
#include "services/group-coordinator/txn/transaction_service.h"

namespace sluice::group_coordinator {

struct service_settings {
  group_options groups;
  std::int32_t offsets_replication_factor = 3;  // offsets.topic.replication.factor (capped by live servers)
  // offsets.topic.segment.bytes: smaller than the 1 GiB default of other
  // topics, so sealed segments exist for the log cleaner to compact.
  std::int32_t offsets_segment_bytes = 104857600;
  transaction_options transactions;
};

/// TxnOffsetCommit's checks over RPC (cluster::transaction_checker), each
/// answer posted to the service's actor, where the shards live.
class posted_txn_checker final : public txn_offsets_checker {
 public:
  using post_fn = std::function<void(std::function<void()>)>;
  posted_txn_checker(cluster::cluster_client& cluster, post_fn post) : checker_(cluster), post_(std::move(post)) {}
  void check(cluster::txn_check_request request, std::function<void(cluster::txn_check_result)> done) override;

 private:
  cluster::transaction_checker checker_;
  post_fn post_;
};

class group_service : public shard_directory {
 public:
  using post_fn = std::function<void(std::function<void()>)>;

  group_service(service_settings settings, cluster::cluster_client& cluster,
                cluster::coordinator_client& coordinator, post_fn post);
  ~group_service() override;

  /// A Kafka group request forwarded by a gateway (method
  /// kafka_group_request), or transaction markers for our offsets
  /// partitions (write_txn_markers_group).
  void handle(const messaging::message& request, const messaging::responder& reply_to);
  /// New metadata: ownership, the topic catalog, partition leaders.
  void on_view(std::shared_ptr<const cluster::metadata_view> view);
  /// Our lease is gone: someone else may own our shards already.
  void on_lease_lost();
  /// Every ~100 ms: group deadlines, shard loads that need a (re)start.
  void tick();

  shard_lookup find(const std::string& group) override;
  shard_lookup find_partition(std::int32_t partition) override;
  std::vector<group_shard*> loaded() override;

 private:
  struct slot {
    std::unique_ptr<group_shard> shard;
    bool loaded = false;
    bool reading = false;
    std::int64_t next_offset = 0;
    std::uint64_t incarnation = 0;  // tells a stale read's answer from the current one
    std::int64_t replay_until = -1;  // the log end when the fence took hold: replayed up to here at least
    std::chrono::steady_clock::time_point replay_deadline{};
  };

  void adopt(std::int32_t partition, std::int64_t epoch);
  void drop(std::int32_t partition);
  void read_more(std::int32_t partition);
  void replay(slot& s, const std::vector<std::byte>& batches);
  void ensure_offsets_topic();
  void rebuild_catalog();

  service_settings settings_;
  cluster::cluster_client& cluster_;
  cluster::coordinator_client& coordinator_;
  offsets_log log_;
  // The transaction coordinator: partition p of __transaction_state goes
  // with shard p (adopted and dropped with it).
  txn::transaction_service txns_;
  posted_txn_checker txn_checker_;
  std::shared_ptr<const cluster::metadata_view> view_;
  std::map<std::int32_t, slot> slots_;
  topic_catalog catalog_;
  std::uint64_t incarnations_ = 0;
  std::chrono::steady_clock::time_point next_create_attempt_{};
  std::chrono::steady_clock::time_point next_retention_check_{};
  bool fenced_ = false;  // lease lost: serve nothing until registered again
  std::uint64_t fenced_registration_ = 0;
};

}  // namespace sluice::group_coordinator
