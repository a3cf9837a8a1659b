#pragma once
// Writes a transaction's markers (Kafka's TransactionMarkerChannelManager):
// once PrepareCommit/PrepareAbort is durable, every partition of the
// transaction gets a COMMIT or ABORT control batch. The partitions are
// grouped by where they go now (partition leader, or the group coordinator
// owning a __consumer_offsets partition), one request per destination;
// partitions that fail with a retriable error, or have no leader for now,
// are routed again and resent after a backoff, until each is written. A
// partition whose topic is gone is dropped, as Kafka drops it (its
// producer could not have written there since). When no partition is left
// the shard is told, and writes CompleteCommit/CompleteAbort.
//
// A partition that answers with a newer producer or coordinator epoch
// means this coordinator is stale: its markers stop, and the transaction is
// left in Prepare* for the shard's next owner, which resumes the markers on
// load.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>

#include "services/group-coordinator/txn/marker_channel.h"

namespace sluice::group_coordinator::txn {

/// Markers of one shard's transactions. Owned by the transaction_shard, on
/// the owner's actor. Invariants: at most one marker round per
/// transactional id (start() again replaces it); `done` runs once, after
/// the last partition is written or dropped, and never after close() or a
/// fence. Not thread-safe.
class marker_sender {
 public:
  /// Retries wait this long at first, doubling up to max_backoff_ms.
  static constexpr std::int64_t initial_backoff_ms = 100;
  static constexpr std::int64_t max_backoff_ms = 5000;

  marker_sender(marker_channel& channel, std::int32_t coordinator_epoch);

  /// Starts the markers of `prepared` (PrepareCommit or PrepareAbort).
  void start(const transaction_metadata& prepared, std::int64_t now_ms, std::function<void()> done);
  /// Resends what is due.
  void tick(std::int64_t now_ms);
  /// Whether markers of `transactional_id` are under way.
  bool sending(const std::string& transactional_id) const { return txns_.count(transactional_id) > 0; }
  /// Stops everything; no callback runs any more.
  void close();

 private:
  struct round {
    std::uint64_t id = 0;  // tells an answer of this round from one of a replaced round
    marker_request marker;  // partitions: those not yet written
    std::set<txn_partition> in_flight;
    std::set<txn_partition> retry;  // waiting for retry_at
    std::int64_t retry_at = 0;
    std::int64_t backoff_ms = initial_backoff_ms;
    std::function<void()> done;
  };

  /// Routes and sends `partitions` of the round.
  void send(const std::string& transactional_id, round& r, const std::set<txn_partition>& partitions);
  void answered(const std::string& transactional_id, std::uint64_t round_id,
                const std::map<txn_partition, marker_outcome>& outcomes);
  void schedule_retry(round& r, const txn_partition& p);
  /// Finishes the round when nothing is left.
  void maybe_done(const std::string& transactional_id);

  marker_channel& channel_;
  std::int32_t coordinator_epoch_;
  std::uint64_t rounds_ = 0;
  std::int64_t now_ms_ = 0;  // the latest time seen, for answers that schedule retries
  std::map<std::string, round> txns_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace sluice::group_coordinator::txn
