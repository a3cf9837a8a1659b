#pragma once
// Produce RPC: one request fanned out to the actors of its partitions.
#include <atomic>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "common/messaging/frame.h"
#include "common/messaging/rpc_server.h"
#include "partition.pb.h"
#include "services/partition-server/routing_table.h"

namespace sluice::partition_server {

class partition_state;

/// One ProduceRequest in flight. The request message stays whole: each
/// partition's actor appends its slice of the payload in place (the log
/// stamps offsets and epochs into those bytes), so record bytes are never
/// copied between NNG and the log. Partitions write disjoint slices and
/// disjoint response entries; the last one to finish sends the reply, with
/// the results in request order.
///
/// Created on an NNG thread by start(); append_at() runs in partition
/// actors, concurrently for different indexes.
class produce_op : public std::enable_shared_from_this<produce_op> {
 public:
  /// Parses, checks that records_size adds up to the payload, routes every
  /// partition and sends the appends. Malformed requests get bad_request.
  static void start(messaging::message request, messaging::responder reply_to, const routes& table);

  /// Appends entry `index` to `p` (called in p's actor). With acks=all the
  /// entry completes later, when `p` commits it (or fails or times out).
  /// Returns true when it may be waiting for that (the caller arms a timeout).
  bool append_at(std::uint32_t index, partition_state& p, std::int64_t now_ms);
  std::int32_t timeout_ms() const noexcept { return header_.timeout_ms(); }

  produce_op(messaging::message request, messaging::responder reply_to);

 private:
  void complete_one();

  messaging::message request_;
  messaging::responder reply_to_;
  partition::v1::ProduceRequest header_;
  partition::v1::ProduceResponse response_;
  std::vector<std::span<std::byte>> slices_;
  std::atomic<std::size_t> pending_{0};
};

}  // namespace sluice::partition_server
