#pragma once
// ListOffsets RPC: one request fanned out to the actors of its partitions.
#include <atomic>
#include <cstdint>

#include "common/messaging/frame.h"
#include "common/messaging/rpc_server.h"
#include "partition.pb.h"
#include "services/partition-server/routing_table.h"

namespace sluice::partition_server {

class partition_state;

/// One ListOffsetsRequest in flight; like produce_op, each partition's actor
/// fills its own response entry and the last one replies, in request order.
class list_offsets_op {
 public:
  static void start(const messaging::message& request, messaging::responder reply_to, const routes& table);
  /// Answers entry `index` from `p` (called in p's actor).
  void answer_at(std::uint32_t index, partition_state& p);

  explicit list_offsets_op(messaging::responder reply_to) : reply_to_(std::move(reply_to)) {}

 private:
  void complete_one();

  messaging::responder reply_to_;
  partition::v1::ListOffsetsRequest header_;
  partition::v1::ListOffsetsResponse response_;
  std::atomic<std::size_t> pending_{0};
};

}  // namespace sluice::partition_server
