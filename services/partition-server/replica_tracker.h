#pragma once
// A leader's view of its followers: their log end offsets, whether they keep
// up, and from that the high watermark and the ISR changes to propose.
#include <cstdint>
#include <optional>
#include <vector>

#include "common/base/types.h"

namespace sluice::partition_server {

/// Pure logic (no clock of its own, no I/O): every call that depends on time
/// takes `now_ms`, so unit tests drive it with a fake clock.
///
/// Kafka's rules (Partition.scala / Replica.scala):
/// - a follower is *caught up* at a fetch when its fetch offset reaches the
///   leader's log end offset at that moment, or the log end offset the
///   leader had at the follower's previous fetch (then it was caught up at
///   that previous fetch's time);
/// - an ISR member that has not been caught up for `lag_max_ms` is proposed
///   for removal; a replica outside the ISR whose log end offset reached
///   the high watermark and the start of the current leader epoch is
///   proposed for addition;
/// - the high watermark is the minimum log end offset over the committed
///   ISR plus replicas being added (the leader's own LEO counts). A
///   follower whose LEO is unknown since this leadership began holds it.
class replica_tracker {
 public:
  /// A new leadership (or new replica set): follower LEOs become unknown,
  /// and every follower counts as caught up now (it gets `lag_max_ms` to
  /// prove itself).
  void reset(node_id self, const std::vector<node_id>& replicas, const std::vector<node_id>& isr, std::int64_t now_ms);
  /// The committed ISR changed (our proposal, or the coordinator's).
  void set_isr(const std::vector<node_id>& isr);
  /// The replica set changed under the same leadership (a reassignment):
  /// new followers start unknown, known ones keep their state.
  void set_replicas(const std::vector<node_id>& replicas, std::int64_t now_ms);
  /// A follower fetched at `fetch_offset` while the leader's LEO was `leader_leo`;
  /// `log_start` is the follower's log start offset (no_offset: not sent).
  /// False for a node that is not a replica.
  bool on_fetch(node_id replica, offset fetch_offset, offset leader_leo, std::int64_t now_ms,
                offset log_start = no_offset);

  /// min LEO over ISR ∪ `pending_additions`; no_offset while any of them is unknown.
  offset high_watermark(offset leader_leo, const std::vector<node_id>& pending_additions = {}) const;
  /// Kafka's low watermark for DeleteRecords: min log start offset over
  /// `leader_log_start` and the committed ISR's followers; no_offset while
  /// any of them is unknown since this leadership began. (Kafka counts every
  /// replica on a live broker; a follower out of the ISR does not hold a
  /// deletion here, as it does not hold the high watermark.)
  offset low_watermark(offset leader_log_start) const;
  /// The ISR to propose, if it should change: members lagging longer than
  /// `lag_max_ms` leave, caught-up replicas join. nullopt: keep it.
  std::optional<std::vector<node_id>> wanted_isr(std::int64_t now_ms, std::int64_t lag_max_ms, offset high_watermark,
                                                 offset epoch_start_offset) const;

  const std::vector<node_id>& isr() const noexcept { return isr_; }
  /// For tests and metrics: no_offset when unknown or not a replica.
  offset follower_leo(node_id replica) const;

 private:
  struct follower {
    node_id id = no_node;
    offset leo = no_offset;
    std::int64_t last_caught_up_ms = 0;
    std::int64_t last_fetch_ms = -1;
    offset leader_leo_at_last_fetch = no_offset;
    offset log_start = no_offset;
  };
  const follower* find(node_id id) const;
  bool in_isr(node_id id) const;

  node_id self_ = no_node;
  std::vector<follower> followers_;  // every replica but the leader
  std::vector<node_id> isr_;
};

}  // namespace sluice::partition_server
