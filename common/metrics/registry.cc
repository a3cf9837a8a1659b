#include "common/metrics/registry.h"

#include <bit>
#include <sstream>

namespace sluice::metrics {

void histogram::record(std::uint64_t micros) noexcept {
  // Bucket i holds values in (2^(i-1), 2^i]; 0 and 1 land in bucket 0.
  std::size_t i = micros <= 1 ? 0 : static_cast<std::size_t>(std::bit_width(micros - 1));
  if (i >= bucket_count) i = bucket_count - 1;
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(micros, std::memory_order_relaxed);
}

std::uint64_t histogram::quantile_bound(double q) const noexcept {
  const std::uint64_t total = count();
  if (total == 0) return 0;
  const auto rank = static_cast<std::uint64_t>(q * static_cast<double>(total) + 0.999999);
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < bucket_count; ++i) {
    seen += bucket(i);
    if (seen >= rank) return bucket_bound(i);
  }
  return bucket_bound(bucket_count - 1);
}

registry& registry::global() {
  static registry instance;
  return instance;
}

namespace {
template <class T, class Map>
T& find_or_add(std::mutex& mutex, Map& map, const std::string& name, const std::string& help) {
  std::lock_guard lock(mutex);
  auto& e = map[name];
  if (!e.metric) {
    e.metric = std::make_unique<T>();
    e.help = help;
  }
  return *e.metric;
}

void write_head(std::ostringstream& out, const std::string& name, const std::string& help, const char* type) {
  if (!help.empty()) out << "# HELP " << name << ' ' << help << '\n';
  out << "# TYPE " << name << ' ' << type << '\n';
}
}  // namespace

counter& registry::get_counter(const std::string& name, const std::string& help) {
  return find_or_add<counter>(mutex_, counters_, name, help);
}
gauge& registry::get_gauge(const std::string& name, const std::string& help) {
  return find_or_add<gauge>(mutex_, gauges_, name, help);
}
histogram& registry::get_histogram(const std::string& name, const std::string& help) {
  return find_or_add<histogram>(mutex_, histograms_, name, help);
}

std::string registry::render_text() const {
  std::lock_guard lock(mutex_);
  std::ostringstream out;
  for (const auto& [name, e] : counters_) {
    write_head(out, name, e.help, "counter");
    out << name << ' ' << e.metric->value() << '\n';
  }
  for (const auto& [name, e] : gauges_) {
    write_head(out, name, e.help, "gauge");
    out << name << ' ' << e.metric->value() << '\n';
  }
  for (const auto& [name, e] : histograms_) {
    write_head(out, name, e.help, "histogram");
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < histogram::bucket_count; ++i) {
      cumulative += e.metric->bucket(i);
      if (i + 1 < histogram::bucket_count)
        out << name << "_bucket{le=\"" << histogram::bucket_bound(i) << "\"} " << cumulative << '\n';
    }
    out << name << "_bucket{le=\"+Inf\"} " << cumulative << '\n';
    out << name << "_sum " << e.metric->sum() << '\n' << name << "_count " << e.metric->count() << '\n';
  }
  return out.str();
}

}  // namespace sluice::metrics
