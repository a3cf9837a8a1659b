#pragma once
// The long-poll fetches parked on one partition, and what wakes them.
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <utility>
#include <vector>

#include "common/base/types.h"
#include "services/partition-server/fetch_waiter.h"

namespace sluice::partition_server {

/// Consumers and followers wait for different things: a consumer only sees
/// records below the high watermark, so its waiter counts the bytes of
/// appends as the high watermark passes them; a read_committed consumer
/// only below the last stable offset (LSO), so its waiter counts them as the
/// LSO passes them; a follower reads up to the log end, so every append
/// counts at once. Owned by one partition_state; not thread-safe (the
/// waiters themselves are).
class parked_fetches {
 public:
  /// Parks `waiter`. `seen` is the position the fetch saw when it read (the
  /// high watermark for a consumer, the log end for a follower), `current`
  /// that position now: if they differ, appends ran between the read and
  /// this call, their bytes were never counted, and the waiter is woken at
  /// once so the fetch looks again.
  void watch(std::shared_ptr<fetch_waiter> waiter, bool replica, offset seen, offset current);
  /// An append of `bytes` whose last offset is `end_offset` - 1: counts for
  /// followers now, for consumers once the high watermark reaches `end_offset`.
  void on_append(offset end_offset, std::size_t bytes);
  /// The high watermark moved to `high_watermark`: consumers get the bytes of
  /// the appends it passed.
  void on_high_watermark(offset high_watermark);
  /// As watch(), for a read_committed consumer: `seen` and `current` are LSOs.
  void watch_committed(std::shared_ptr<fetch_waiter> waiter, offset seen, offset current);
  /// The LSO moved to `last_stable_offset` (the HW moved, or a marker ended
  /// the transaction that held it): read_committed consumers get the bytes
  /// of the appends it passed.
  void on_last_stable_offset(offset last_stable_offset);
  /// Wakes every parked fetch (the partition closes: answer now, not at
  /// the fetches' timeout).
  void wake_all();
  std::size_t size() const noexcept { return consumers_.size() + committed_.size() + followers_.size(); }

  /// Appends remembered above the LSO at most: an open transaction holds the
  /// LSO for up to transaction.timeout.ms, so beyond this the oldest two
  /// entries are merged (their bytes then count once the later end passes:
  /// a wake-up can come later, never earlier).
  static constexpr std::size_t max_above_lso = 4096;

 private:
  using appends = std::deque<std::pair<offset, std::size_t>>;  // (end offset, bytes), in order
  using waiters = std::vector<std::shared_ptr<fetch_waiter>>;

  void drop_fired();
  /// Parks `waiter` in `into`, or wakes it when its position moved since its read.
  void park(waiters& into, std::shared_ptr<fetch_waiter> waiter, offset seen, offset current);
  /// A bound moved to `bound`: the bytes of the `pending` appends it passed count for `woken`.
  void release(appends& pending, offset bound, waiters& woken);

  appends above_hw_;   // appends above the high watermark
  appends above_lso_;  // appends above the LSO
  waiters committed_;  // read_committed consumers, woken by the LSO
  waiters consumers_;  // woken by the high watermark
  waiters followers_;  // woken by appends
};

}  // namespace sluice::partition_server
