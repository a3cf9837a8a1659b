#pragma once
// DescribeProducers RPC: the producers each asked partition's leader keeps
// (Kafka's DescribeProducers, which kafka-transactions.sh uses to find
// hanging transactions).
#include <cstdint>

#include "common/messaging/methods.h"
#include "partition.pb.h"
#include "services/partition-server/actors/type_ids.h"
#include "services/partition-server/rpc/per_partition_op.h"

namespace sluice::partition_server {

class partition_state;

/// One DescribeProducersRequest in flight; each partition's actor fills its
/// own entry and the last one replies, in request order.
class describe_producers_op
    : public per_partition_op<describe_producers_op, partition::v1::DescribeProducersRequest,
                              partition::v1::DescribeProducersResponse, messaging::method::describe_producers,
                              producers_atom> {
 public:
  /// Unanswered: no producers.
  static void blank(partition::v1::PartitionProducers&) {}
  /// Answers entry `index` from `p` (called in p's actor).
  void answer_at(std::uint32_t index, const partition_state& p);

  using per_partition_op::per_partition_op;
};

}  // namespace sluice::partition_server
