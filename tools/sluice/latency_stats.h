#pragma once
// Latency percentiles and throughput for `sluice bench`.
#include <cstdint>
#include <vector>

namespace sluice::tools {

/// The nearest-rank percentile (0 < p <= 100) of `sorted`, which must be in
/// ascending order: the smallest sample with at least p% of the samples at
/// or below it. 0 for no samples.
double percentile(const std::vector<double>& sorted, double p);

struct latency_summary {
  std::size_t count = 0;
  double p50 = 0;
  double p99 = 0;
  double p999 = 0;
  double max = 0;
  double mean = 0;
};

/// Sorts `samples` in place and summarizes them.
latency_summary summarize(std::vector<double>& samples);

/// Records and bytes over an interval, as the bench commands report them.
struct throughput {
  double records_per_sec = 0;
  double mib_per_sec = 0;  // 2^20 bytes, as Kafka's perf tools count "MB"
};

/// Rates over `seconds`; zero when the interval is not positive.
throughput rate(std::uint64_t records, std::uint64_t bytes, double seconds);

}  // namespace sluice::tools
