#pragma once
// An internal topic as the group coordinator uses it (__consumer_offsets for
// groups, __transaction_state for transactions): appends with acks=all to a
// partition's leader, and reads for replaying a shard. Both go
// to the partition servers over RPC with the shard's epoch, which they check
// (an owner that was replaced cannot write); callbacks come back through
// `post` (onto the service's actor), which is also where append() is called.
//
// Appends to one partition land in the order they were made: one write is
// in flight per partition, and the plain appends that queue up meanwhile go
// together in the next one (one batch, so all or none of them). Two writes
// in flight at once could be appended in either order, and a replay would
// then see an older commit after a newer one. A transactional append (one
// producer's batch) and a transaction marker (WriteTxnMarkers to the
// partition's leader, method write_txn_markers) each go alone, in turn with
// the rest, so a marker's effect applies after the writes made before it.
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/cluster/cluster_client.h"
#include "common/cluster/group_shards.h"
#include "common/cluster/service_clients.h"
#include "services/group-coordinator/group_shard.h"

namespace sluice::group_coordinator {

class offsets_log : public record_log {
 public:
  using post_fn = std::function<void(std::function<void()>)>;

  offsets_log(cluster::cluster_client& cluster, post_fn post, std::string_view topic = cluster::offsets_topic);

  void append(std::int32_t partition, std::int64_t shard_epoch, std::vector<record> records,
              std::function<void(error_code)> done) override;
  void append_transactional(std::int32_t partition, std::int64_t shard_epoch, txn_producer producer,
                            std::vector<record> records, std::function<void(error_code)> done) override;
  void write_marker(std::int32_t partition, std::int64_t shard_epoch, txn_marker marker,
                    std::function<void(error_code)> done) override;

  struct read_result {
    error_code error = error_code::none;
    std::int64_t high_watermark = -1;
    std::int64_t log_end_offset = -1;
    std::int64_t log_start_offset = 0;
    std::vector<std::byte> batches;  // whole record batches from the offset asked
  };
  /// Reads committed records (below the high watermark) from `offset`; the
  /// partition server refuses until its metadata has `shard_epoch`.
  void read(std::int32_t partition, std::int64_t shard_epoch, std::int64_t offset,
            std::function<void(read_result)> done);

  /// Drops clients of partition servers that left the cluster.
  void forget_stale(const cluster::metadata_view& view) { servers_.forget_stale(view); }

 private:
  struct pending_append {
    std::int64_t shard_epoch = 0;
    std::vector<record> records;
    std::function<void(error_code)> done;
    /// Plain records (merged with their neighbours), one producer's
    /// transactional batch, or a marker (no records).
    std::variant<std::monostate, txn_producer, txn_marker> kind;
  };
  struct partition_queue {
    bool in_flight = false;
    std::deque<pending_append> waiting;
  };
  /// Shared with the posted completions, which find it gone after the log is.
  struct queues {
    std::map<std::int32_t, partition_queue> by_partition;
  };

  std::shared_ptr<messaging::rpc_client> leader_client(std::int32_t partition);
  void enqueue(std::int32_t partition, pending_append append);
  /// Sends what waits first on `partition`, unless a write is in flight:
  /// the plain appends at the front (of the first one's shard epoch, up to
  /// a size bound) as one produce, or the transactional batch or marker
  /// there alone.
  void send_next(std::int32_t partition);
  /// The write of `sent` (its records) as one produce request.
  void send_produce(std::int32_t partition, std::vector<pending_append> sent);
  /// The marker `sent` names as one WriteTxnMarkers request.
  void send_marker(std::int32_t partition, pending_append sent);
  /// How the answers of the in-flight write reach finish(), on our actor.
  std::function<void(std::vector<pending_append>, error_code)> completion(std::int32_t partition);
  /// Tells the appends of a produce how it went, then sends what waits.
  void finish(std::int32_t partition, std::vector<pending_append> sent, error_code e);

  cluster::cluster_client& cluster_;
  post_fn post_;
  std::string topic_;
  cluster::service_clients servers_{cluster::mv1::PARTITION_SERVER};
  std::shared_ptr<queues> queues_ = std::make_shared<queues>();
};

}  // namespace sluice::group_coordinator
