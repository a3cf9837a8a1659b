#pragma once
// ListOffsets RPC: one request fanned out to the actors of its partitions.
#include <cstdint>

#include "common/messaging/methods.h"
#include "partition.pb.h"
#include "services/partition-server/actors/type_ids.h"
#include "services/partition-server/rpc/per_partition_op.h"

namespace sluice::partition_server {

class partition_state;

/// One ListOffsetsRequest in flight; each partition's actor fills its own
/// response entry and the last one replies, in request order.
class list_offsets_op
    : public per_partition_op<list_offsets_op, partition::v1::ListOffsetsRequest, partition::v1::ListOffsetsResponse,
                              messaging::method::list_offsets, offsets_atom> {
 public:
  /// Unanswered: no timestamp, offset or epoch.
  static void blank(partition::v1::PartitionOffsetResult& r) {
    r.set_timestamp(-1);
    r.set_offset(-1);
    r.set_leader_epoch(-1);
  }
  /// Answers entry `index` from `p` (called in p's actor).
  void answer_at(std::uint32_t index, partition_state& p);

  using per_partition_op::per_partition_op;
};

}  // namespace sluice::partition_server
