#pragma once
// OffsetForLeaderEpoch RPC: where each asked leader epoch ends on the leader.
#include <atomic>
#include <cstdint>

#include "common/messaging/frame.h"
#include "common/messaging/rpc_server.h"
#include "partition.pb.h"
#include "services/partition-server/routing_table.h"

namespace sluice::partition_server {

class partition_state;

/// One OffsetForLeaderEpochRequest in flight; each partition's actor fills
/// its own entry and the last one replies, in request order (like
/// list_offsets_op).
class epoch_offsets_op {
 public:
  static void start(const messaging::message& request, messaging::responder reply_to, const routes& table);
  /// Answers entry `index` from `p` (called in p's actor).
  void answer_at(std::uint32_t index, const partition_state& p);

  explicit epoch_offsets_op(messaging::responder reply_to) : reply_to_(std::move(reply_to)) {}

 private:
  void complete_one();

  messaging::responder reply_to_;
  partition::v1::OffsetForLeaderEpochRequest header_;
  partition::v1::OffsetForLeaderEpochResponse response_;
  std::atomic<std::size_t> pending_{0};
};

}  // namespace sluice::partition_server
