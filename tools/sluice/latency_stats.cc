#include "tools/sluice/latency_stats.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace sluice::tools {

double percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  p = std::clamp(p, 0.0, 100.0);
  // Nearest rank: ceil(p/100 * n), 1-based; rank 0 (p == 0) means the minimum.
  // The epsilon keeps binary rounding (99.9/100*1000 = 999.0000000000001)
  // from pushing an exact rank up by one.
  auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(sorted.size()) - 1e-9));
  if (rank == 0) rank = 1;
  return sorted[std::min(rank, sorted.size()) - 1];
}

latency_summary summarize(std::vector<double>& samples) {
  latency_summary s;
  s.count = samples.size();
  if (samples.empty()) return s;
  std::sort(samples.begin(), samples.end());
  s.p50 = percentile(samples, 50);
  s.p99 = percentile(samples, 99);
  s.p999 = percentile(samples, 99.9);
  s.max = samples.back();
  s.mean = std::accumulate(samples.begin(), samples.end(), 0.0) / static_cast<double>(samples.size());
  return s;
}

throughput rate(std::uint64_t records, std::uint64_t bytes, double seconds) {
  if (!(seconds > 0)) return {};
  return {static_cast<double>(records) / seconds, static_cast<double>(bytes) / (1024.0 * 1024.0) / seconds};
}

}  // namespace sluice::tools
