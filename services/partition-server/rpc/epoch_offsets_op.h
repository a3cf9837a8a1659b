#pragma once
// OffsetForLeaderEpoch RPC: where each asked leader epoch ends on the leader.
#include <cstdint>

#include "common/messaging/methods.h"
#include "partition.pb.h"
#include "services/partition-server/actors/type_ids.h"
#include "services/partition-server/rpc/per_partition_op.h"

namespace sluice::partition_server {

class partition_state;

/// One OffsetForLeaderEpochRequest in flight; each partition's actor fills
/// its own entry and the last one replies, in request order.
class epoch_offsets_op
    : public per_partition_op<epoch_offsets_op, partition::v1::OffsetForLeaderEpochRequest,
                              partition::v1::OffsetForLeaderEpochResponse, messaging::method::offset_for_leader_epoch,
                              epoch_atom> {
 public:
  /// Unanswered: no epoch, no end offset.
  static void blank(partition::v1::EpochEndOffset& r) {
    r.set_leader_epoch(-1);
    r.set_end_offset(-1);
  }
  /// Answers entry `index` from `p` (called in p's actor).
  void answer_at(std::uint32_t index, const partition_state& p);

  using per_partition_op::per_partition_op;
};

}  // namespace sluice::partition_server
