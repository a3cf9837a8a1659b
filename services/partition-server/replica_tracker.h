#pragma once
// A leader's view of its followers: their log end offsets, whether they keep
// up, and from that the high watermark and the ISR changes to propose.
#include <cstdint>
#include <optional>
#include <vector>

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
  void reset(std::int32_t self, const std::vector<std::int32_t>& replicas, const std::vector<std::int32_t>& isr,
             std::int64_t now_ms);
  /// The committed ISR changed (our proposal, or the coordinator's).
  void set_isr(const std::vector<std::int32_t>& isr);
  /// The replica set changed under the same leadership (a reassignment):
  /// new followers start unknown, known ones keep their state.
  void set_replicas(const std::vector<std::int32_t>& replicas, std::int64_t now_ms);
  /// A follower fetched at `fetch_offset` while the leader's LEO was `leader_leo`.
  /// False for a node that is not a replica.
  bool on_fetch(std::int32_t replica, std::int64_t fetch_offset, std::int64_t leader_leo, std::int64_t now_ms);

  /// min LEO over ISR ∪ `pending_additions`; -1 while any of them is unknown.
  std::int64_t high_watermark(std::int64_t leader_leo, const std::vector<std::int32_t>& pending_additions = {}) const;
  /// The ISR to propose, if it should change: members lagging longer than
  /// `lag_max_ms` leave, caught-up replicas join. nullopt: keep it.
  std::optional<std::vector<std::int32_t>> wanted_isr(std::int64_t now_ms, std::int64_t lag_max_ms,
                                                      std::int64_t high_watermark,
                                                      std::int64_t epoch_start_offset) const;

  const std::vector<std::int32_t>& isr() const noexcept { return isr_; }
  /// For tests and metrics: -1 when unknown or not a replica.
  std::int64_t follower_leo(std::int32_t replica) const;

 private:
  struct follower {
    std::int32_t id = -1;
    std::int64_t leo = -1;
    std::int64_t last_caught_up_ms = 0;
    std::int64_t last_fetch_ms = -1;
    std::int64_t leader_leo_at_last_fetch = -1;
  };
  const follower* find(std::int32_t id) const;
  bool in_isr(std::int32_t id) const;

  std::int32_t self_ = -1;
  std::vector<follower> followers_;  // every replica but the leader
  std::vector<std::int32_t> isr_;
};

}  // namespace sluice::partition_server
