#pragma once
// An internal topic as the group coordinator uses it (__consumer_offsets for
// groups, __transaction_state for transactions): appends with acks=all to a
// partition's leader, and reads for replaying a shard. Both go
// to the partition servers over RPC with the shard's epoch, which they check
// (an owner that was replaced cannot write); callbacks come back through
// `post` (onto the service's actor), which is also where append() is called.
//
// Appends to one partition land in the order they were made: one produce is
// in flight per partition, and the appends that queue up meanwhile go
// together in the next one (one batch, so all or none of them). Two produce
// RPCs in flight at once could be appended in either order, and a replay
// would then see an older commit after a newer one.
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
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
  /// Sends the appends waiting on `partition` (those of the first one's shard
  /// epoch, up to a size bound) as one produce, unless one is in flight.
  void send_next(std::int32_t partition);
  /// Tells the appends of a produce how it went, then sends what waits.
  void finish(std::int32_t partition, std::vector<pending_append> sent, error_code e);

  cluster::cluster_client& cluster_;
  post_fn post_;
  std::string topic_;
  cluster::service_clients servers_{cluster::mv1::PARTITION_SERVER};
  std::shared_ptr<queues> queues_ = std::make_shared<queues>();
};

}  // namespace sluice::group_coordinator
