#pragma once
// Fetch RPC: reads its partitions one after another into one reply, and
// parks (long poll) when fewer than min_bytes were ready.
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include <caf/actor.hpp>

#include "common/messaging/frame.h"
#include "common/messaging/rpc_server.h"
#include "partition.pb.h"
#include "services/partition-server/reply_builder.h"
#include "services/partition-server/routing_table.h"

namespace sluice::partition_server {

class partition_state;

/// One FetchRequest in flight.
///
/// A *pass* visits the request's partitions in order: the op travels as a
/// message from one partition actor to the next, and each reads its whole
/// batches straight into the reply message (reply_builder), so bytes are
/// copied once, from the page cache into the NNG message, and land in
/// request order. Limits (KIP-74): each partition gets at most
/// min(partition_max_bytes, what is left of max_bytes); while nothing has
/// been returned yet the first batch is returned even if larger.
///
/// After a pass: reply if at least min_bytes were read, any partition
/// failed, max_wait_ms is 0 or over, or this was already the second pass.
/// Otherwise *park*: a fetch_waiter registers with every partition actor
/// (appends count their bytes into it) and with the fetch timer; whichever
/// fires first starts the second pass, which always replies. No polling.
///
/// Threads: exactly one actor (or the NNG thread in start(), or the thread
/// that fired the waiter) works on the op at a time; each hand-over is a
/// CAF message, which orders the memory accesses.
class fetch_op : public std::enable_shared_from_this<fetch_op> {
 public:
  /// Parses and routes the request and starts the first pass. `timer` is
  /// the actor that wakes parked fetches at their deadline (fetch_timer).
  static void start(messaging::message request, messaging::responder reply_to, const routes& table,
                    caf::actor timer);

  /// Reads the current partition from `p` (called in p's actor), then
  /// moves on to the next one.
  void read_current(partition_state& p);

  fetch_op(messaging::responder reply_to, caf::actor timer);

 private:
  void run_pass();
  void advance();
  void finish_pass();
  void park();

  // The request, fixed for the op's life.
  messaging::responder reply_to_;
  caf::actor timer_;
  partition::v1::FetchRequest header_;
  std::vector<caf::actor> targets_;                     // null: answered with route_errors_
  std::vector<partition::v1::PartitionError> route_errors_;
  std::chrono::steady_clock::time_point deadline_;
  std::int64_t max_bytes_ = 0;
  std::size_t header_room_ = 0;
  std::size_t payload_hint_ = 0;
  bool parked_ = false;

  // The current pass.
  std::optional<reply_builder> builder_;
  partition::v1::FetchResponse response_;
  std::vector<offset> end_seen_;  // the position each partition had when read (HW, LSO for read_committed, LEO for a follower)
  std::size_t next_ = 0;
  std::int64_t total_ = 0;
  bool errors_ = false;
};

}  // namespace sluice::partition_server
