#pragma once
// A process-wide registry of named metrics: counters, gauges and latency
// histograms, cheap enough for the data path (relaxed atomics, no locks
// after registration). render_text() writes the Prometheus text format; an
// HTTP endpoint that serves it comes in a later issue.
#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace sluice::metrics {

/// Monotonic count of events (requests served, bytes appended, ...).
class counter {
 public:
  void add(std::uint64_t n = 1) noexcept { value_.fetch_add(n, std::memory_order_relaxed); }
  std::uint64_t value() const noexcept { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> value_{0};
};

/// A value that goes up and down (open connections, hosted partitions).
class gauge {
 public:
  void set(std::int64_t v) noexcept { value_.store(v, std::memory_order_relaxed); }
  void add(std::int64_t n) noexcept { value_.fetch_add(n, std::memory_order_relaxed); }
  std::int64_t value() const noexcept { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::int64_t> value_{0};
};

/// Latencies in microseconds, in power-of-two buckets (1 us .. ~34 min).
class histogram {
 public:
  static constexpr std::size_t bucket_count = 32;
  void record(std::uint64_t micros) noexcept;
  std::uint64_t count() const noexcept { return count_.load(std::memory_order_relaxed); }
  std::uint64_t sum() const noexcept { return sum_.load(std::memory_order_relaxed); }
  /// Upper bound (us) of bucket i; the last bucket is unbounded.
  static std::uint64_t bucket_bound(std::size_t i) noexcept { return std::uint64_t{1} << i; }
  std::uint64_t bucket(std::size_t i) const noexcept { return buckets_[i].load(std::memory_order_relaxed); }
  /// An upper bound of the q-quantile (0 < q <= 1), from the buckets.
  std::uint64_t quantile_bound(double q) const noexcept;

 private:
  std::array<std::atomic<std::uint64_t>, bucket_count> buckets_{};
  std::atomic<std::uint64_t> count_{0};
  std::atomic<std::uint64_t> sum_{0};
};

/// Owns every metric of the process. Lookups lock; keep the returned
/// reference (metrics are never removed, so it stays valid).
class registry {
 public:
  static registry& global();

  counter& get_counter(const std::string& name, const std::string& help = {});
  gauge& get_gauge(const std::string& name, const std::string& help = {});
  histogram& get_histogram(const std::string& name, const std::string& help = {});

  /// Every metric in the Prometheus text exposition format.
  std::string render_text() const;

 private:
  template <class T>
  struct entry {
    std::string help;
    std::unique_ptr<T> metric;
  };
  mutable std::mutex mutex_;
  std::map<std::string, entry<counter>> counters_;
  std::map<std::string, entry<gauge>> gauges_;
  std::map<std::string, entry<histogram>> histograms_;
};

}  // namespace sluice::metrics
