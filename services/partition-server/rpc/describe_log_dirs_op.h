#pragma once
// DescribeLogDirs RPC: this server's log directory (its data dir, with the
// volume's total and usable bytes) and the size of each replica it hosts,
// leader or follower (Kafka's ReplicaManager.describeLogDirs; kafka-log-dirs).
#include <cstdint>
#include <filesystem>

#include "common/messaging/methods.h"
#include "partition.pb.h"
#include "services/partition-server/actors/type_ids.h"
#include "services/partition-server/rpc/per_partition_op.h"

namespace sluice::partition_server {

class partition_state;

/// One DescribeLogDirsRequest in flight. The directory is looked at once,
/// on the RPC thread; each replica's actor then fills its own entry (its
/// log is the actor's alone) and the last one replies. A directory that
/// cannot be read is answered STORAGE_ERROR at once with no replicas, as
/// Kafka answers an offline log dir.
class describe_log_dirs_op
    : public per_partition_op<describe_log_dirs_op, partition::v1::DescribeLogDirsRequest,
                              partition::v1::DescribeLogDirsResponse, messaging::method::describe_log_dirs,
                              log_dir_atom> {
 public:
  /// `all_partitions` asks every replica `table` routes to an actor;
  /// otherwise the named ones (those not hosted here come back with their
  /// routing error). A header that does not parse gets bad_request.
  static void start(const messaging::message& request, messaging::responder reply_to, const routes& table,
                    const std::filesystem::path& data_dir);
  /// Unanswered: no size.
  static void blank(partition::v1::ReplicaLogDir& e) { e.set_size_bytes(-1); }
  /// Answers entry `index` from `p` (called in p's actor).
  void answer_at(std::uint32_t index, const partition_state& p);

  using per_partition_op::per_partition_op;
};

}  // namespace sluice::partition_server
