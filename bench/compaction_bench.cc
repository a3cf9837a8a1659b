// Speed of the log cleaner (cleanup.policy=compact) on one partition log,
// without RPC or clients: appends 1 KiB records over a key space in batches
// of 64 (compressed when asked), rolling 64 MiB segments, then times one
// clean() of every sealed segment and prints what it read, kept and how fast.
//
// Usage: compaction_bench [MiB to write] [distinct keys] [none|lz4|zstd|snappy|gzip]
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "common/protocol/record_batch.h"
#include "services/partition-server/storage/partition_log.h"

namespace fs = std::filesystem;
namespace proto = sluice::protocol;
using clock_type = std::chrono::steady_clock;

namespace {

proto::compression_codec codec_named(const std::string& name) {
  static const std::map<std::string, proto::compression_codec> codecs{
      {"none", proto::compression_codec::none}, {"gzip", proto::compression_codec::gzip},
      {"snappy", proto::compression_codec::snappy}, {"lz4", proto::compression_codec::lz4},
      {"zstd", proto::compression_codec::zstd}};
  auto it = codecs.find(name);
  if (it == codecs.end()) {
    std::fprintf(stderr, "unknown codec %s\n", name.c_str());
    std::exit(2);
  }
  return it->second;
}

double seconds_since(clock_type::time_point t0) {
  return std::chrono::duration<double>(clock_type::now() - t0).count();
}

}  // namespace

int main(int argc, char** argv) {
  const std::int64_t total_mib = argc > 1 ? std::atoll(argv[1]) : 512;
  const int keys = argc > 2 ? std::atoi(argv[2]) : 10000;
  const auto codec = codec_named(argc > 3 ? argv[3] : "none");
  constexpr int per_batch = 64;
  constexpr std::size_t value_bytes = 1024;

  std::random_device rd;
  const fs::path dir = fs::temp_directory_path() / ("sluice-compaction-bench-" + std::to_string(rd()));
  const std::int64_t now_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  auto cfg = sluice::config::make_log_config({{"cleanup.policy", "compact"}, {"segment.bytes", "67108864"}});
  auto opened = sluice::storage::partition_log::open(dir, cfg, now_ms);
  if (!opened) {
    std::fprintf(stderr, "cannot open %s: %s\n", dir.c_str(), opened.error().message().c_str());
    return 1;
  }
  auto& log = *opened.value();

  std::mt19937 rng(42);
  std::uniform_int_distribution<int> pick(0, keys - 1);
  // Random hex values: a codec gets about half of them back, as with real payloads, and
  // segments fill at the same pace whatever the codec.
  std::vector<std::string> values(per_batch * 4);
  for (auto& v : values) {
    v.resize(value_bytes);
    for (auto& c : v) c = "0123456789abcdef"[rng() % 16];
  }
  std::int64_t written = 0;
  std::int64_t records = 0;
  const auto t_write = clock_type::now();
  while (written < total_mib << 20) {
    std::vector<proto::record_to_build> batch;
    for (int i = 0; i < per_batch; ++i)
      batch.push_back({.key = "key-" + std::to_string(pick(rng)), .value = values[(records + i) % values.size()],
                       .headers = {}, .timestamp = now_ms});
    auto bytes = proto::build_batch(batch, {.codec = codec});
    auto r = log.append(bytes, sluice::leader_epoch{0}, now_ms);
    if (r.error != sluice::protocol::append_errc::ok) {
      std::fprintf(stderr, "append failed: %s\n", r.message.c_str());
      return 1;
    }
    written += static_cast<std::int64_t>(per_batch * value_bytes);
    records += per_batch;
  }
  const double write_s = seconds_since(t_write);

  const auto t_clean = clock_type::now();
  const auto cleaned = log.clean(now_ms, log.log_end_offset());
  const double clean_s = seconds_since(t_clean);
  log.close();
  fs::remove_all(dir);

  if (cleaned.failed) {
    std::fprintf(stderr, "the cleaner failed\n");
    return 1;
  }
  const double mib_before = static_cast<double>(cleaned.bytes_before) / (1 << 20);
  std::printf("{\"bench\": \"compaction\", \"codec\": \"%s\", \"keys\": %d, \"records\": %lld, \"write_s\": %.2f, "
              "\"cleaned_mib\": %.1f, \"kept_mib\": %.1f, \"records_removed\": %lld, \"segments_rewritten\": %zu, "
              "\"segments_removed\": %zu, \"clean_s\": %.2f, \"clean_mib_per_s\": %.0f}\n",
              argc > 3 ? argv[3] : "none", keys, static_cast<long long>(records), write_s, mib_before,
              static_cast<double>(cleaned.bytes_after) / (1 << 20), static_cast<long long>(cleaned.records_removed),
              cleaned.segments_rewritten, cleaned.segments_removed, clean_s, mib_before / clean_s);
  return 0;
}
