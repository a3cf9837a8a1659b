#pragma once
// A parked (long-poll) fetch as the partitions it watches see it.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>

namespace sluice::partition_server {

/// Created when a fetch found fewer than min_bytes; registered with every
/// partition the fetch reads (partition_state::watch) and with a timer.
/// Appends report their bytes; once `bytes_needed` have arrived, or on
/// wake(), the fetch runs again exactly once.
///
/// Thread-safe: partition actors on different scheduler threads and the
/// timer call it concurrently. `on_wake` runs on whichever thread fires
/// first and must not block (it re-sends the fetch to its partitions).
class fetch_waiter {
 public:
  fetch_waiter(std::int64_t bytes_needed, std::function<void()> on_wake)
      : needed_(bytes_needed), on_wake_(std::move(on_wake)) {}

  /// `n` bytes were appended to a watched partition.
  void add_bytes(std::size_t n) {
    if (needed_.fetch_sub(static_cast<std::int64_t>(n), std::memory_order_acq_rel) - static_cast<std::int64_t>(n) <= 0)
      wake();
  }

  /// Runs the fetch again now (timeout, or data arrived while registering).
  void wake() {
    if (fired_.exchange(true, std::memory_order_acq_rel)) return;
    std::function<void()> f;
    {
      // Moved out so the waiter stops keeping the fetch alive once fired,
      // even while partitions still hold the waiter in their lists.
      std::lock_guard lock(mutex_);
      f = std::move(on_wake_);
    }
    if (f) f();
  }

  bool done() const noexcept { return fired_.load(std::memory_order_acquire); }

 private:
  std::atomic<std::int64_t> needed_;
  std::atomic<bool> fired_{false};
  std::mutex mutex_;
  std::function<void()> on_wake_;
};

}  // namespace sluice::partition_server
