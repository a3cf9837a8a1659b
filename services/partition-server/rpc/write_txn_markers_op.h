#pragma once
// WriteTxnMarkers RPC: the transaction coordinator's COMMIT/ABORT markers,
// fanned out to the actors of their partitions.
#include <atomic>
#include <cstdint>
#include <memory>

#include "common/messaging/frame.h"
#include "common/messaging/rpc_server.h"
#include "partition.pb.h"
#include "services/partition-server/routing_table.h"

namespace sluice::partition_server {

class partition_state;

/// One WriteTxnMarkersRequest in flight. Every (marker, partition) pair is
/// an entry of the response, answered by that partition's actor: the marker
/// is written as the leader (partition_state::write_txn_marker) and the
/// entry completes once the high watermark passes it (acks=all, through
/// the partition's commit waiters), or with REQUEST_TIMED_OUT at
/// `timeout_ms`. The last entry to complete sends the reply, in request
/// order. With `group_shard_epoch` (a group coordinator writing to its shard
/// of __consumer_offsets) the partitions are fenced as produce fences them.
///
/// Created on an NNG thread by start(); write_at() runs in partition actors,
/// concurrently for different entries.
class write_txn_markers_op : public std::enable_shared_from_this<write_txn_markers_op> {
 public:
  /// Parses and routes the request and sends every entry to its actor.
  /// A header that does not parse gets bad_request.
  static void start(const messaging::message& request, messaging::responder reply_to, const routes& table);

  /// Writes marker `marker` to its partition `partition` through `p` (called
  /// in p's actor). Returns true when the entry waits for the commit (the
  /// caller arms a timeout).
  bool write_at(std::uint32_t marker, std::uint32_t partition, partition_state& p, std::int64_t now_ms);
  std::int32_t timeout_ms() const noexcept { return header_.timeout_ms(); }

  explicit write_txn_markers_op(messaging::responder reply_to);

 private:
  void complete_one();

  messaging::responder reply_to_;
  partition::v1::WriteTxnMarkersRequest header_;
  partition::v1::WriteTxnMarkersResponse response_;
  std::atomic<std::size_t> pending_{0};
};

}  // namespace sluice::partition_server
