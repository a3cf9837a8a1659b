#pragma once
// Produce RPC: one request fanned out to the actors of its partitions.
#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "common/cluster/transaction_checker.h"
#include "common/messaging/frame.h"
#include "common/messaging/rpc_server.h"
#include "partition.pb.h"
#include "services/partition-server/routing_table.h"
#include "services/partition-server/storage/producer_state.h"

namespace sluice::partition_server {

class partition_state;

/// What one entry of a produce waits for before its append (KIP-890).
struct entry_verification {
  bool answered = false;  // refused before asking anyone: the entry is done
  /// Set: send it to the transaction coordinator, then append_verified_at()
  /// with `guard` and the coordinator's answer.
  std::optional<cluster::txn_check_request> ask;
  storage::verification_guard guard = storage::no_verification_guard;
};

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

  /// Appends entry `index` to `p` (called in p's actor), presenting `guard`
  /// for a transactional batch that opens a transaction. With acks=all the
  /// entry completes later, when `p` commits it (or fails or times out).
  /// Returns true when it may be waiting for that (the caller arms a timeout).
  bool append_at(std::uint32_t index, partition_state& p, std::int64_t now_ms,
                 storage::verification_guard guard = storage::no_verification_guard);
  std::int32_t timeout_ms() const noexcept { return header_.timeout_ms(); }

  /// The producer whose order entry `index` keeps in its partition: the id
  /// of its first batch with one, -1 when none.
  std::int64_t producer_at(std::uint32_t index) const;
  /// Whether entry `index` must be verified with the transaction
  /// coordinator before its append (in p's actor): a client's request with a
  /// transactional id whose transactional batch would open a transaction
  /// here (partition_state::begin_verification). A group coordinator's
  /// writes and requests without a transactional id are not verified (the
  /// log refuses a batch of the latter that opens a transaction).
  entry_verification verify_at(std::uint32_t index, partition_state& p, std::int64_t now_ms);
  /// The coordinator answered `code` (a Kafka error code) for entry
  /// `index`: 0 appends it with `guard`, anything else answers it refused
  /// (map_verification_error). Returns what append_at returns.
  bool append_verified_at(std::uint32_t index, partition_state& p, std::int64_t now_ms,
                          storage::verification_guard guard, std::int16_t code);

  produce_op(messaging::message request, messaging::responder reply_to);

 private:
  void complete_one();
  /// Entry `index` answered `error` without an append.
  void refuse_at(std::uint32_t index, partition::v1::PartitionError error, std::string message,
                 const partition_state& p);

  messaging::message request_;
  messaging::responder reply_to_;
  partition::v1::ProduceRequest header_;
  partition::v1::ProduceResponse response_;
  std::vector<std::span<std::byte>> slices_;
  std::atomic<std::size_t> pending_{0};
};

}  // namespace sluice::partition_server
