#pragma once
// Shared helpers for the storage tests: batches built with the protocol
// builder, a vector-backed read sink, and decoding of what a read returned.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "common/protocol/record_batch.h"
#include "services/partition-server/storage/partition_log.h"
#include "tests/fixtures/temp_dir.h"

namespace sluice::storage::test {

using protocol::append_errc;
using sluice::test::temp_dir;

/// `count` records of `value_size` bytes, timestamps ts, ts+1, ...
inline std::vector<std::byte> make_batch(int count, std::size_t value_size = 100, std::int64_t ts = 1000,
                                         protocol::compression_codec codec = protocol::compression_codec::none) {
  std::vector<protocol::record_to_build> records;
  for (int i = 0; i < count; ++i)
    records.push_back({.key = "k" + std::to_string(i),
                       .value = std::string(value_size, static_cast<char>('a' + i % 26)),
                       .headers = {},
                       .timestamp = ts + i});
  return protocol::build_batch(records, {.codec = codec});
}

/// Batches a read returned, as (base_offset, last_offset), after checking
/// each is whole and has a good CRC.
struct read_batch {
  std::int64_t base;
  std::int64_t last;
};

struct read_output {
  read_result result;
  std::vector<std::byte> bytes;
  std::vector<read_batch> batches;
};

inline read_output read_all(partition_log& log, std::int64_t from, std::int32_t max_bytes, bool min_one = true) {
  read_output out;
  int calls = 0;
  out.result = log.read(offset{from}, max_bytes, min_one, [&](std::size_t n) {
    ++calls;
    out.bytes.resize(n);
    return std::span<std::byte>(out.bytes);
  });
  BOOST_TEST(calls <= 1);
  BOOST_TEST(out.result.bytes == out.bytes.size());
  protocol::batch_iterator it(out.bytes);
  while (auto b = it.next()) {
    BOOST_TEST(protocol::batch_is_intact(*b));
    const protocol::batch_header h(*b);
    out.batches.push_back({h.base_offset(), h.last_offset()});
  }
  BOOST_TEST((it.reason() == protocol::batch_iterator::stop_reason::end));
  return out;
}

inline config::log_config small_config() {
  config::log_config cfg;
  cfg.index_interval_bytes = 256;
  return cfg;
}

/// Opens at `now_ms` (the default matches append_batch's).
inline std::unique_ptr<partition_log> open_log(const std::filesystem::path& dir, config::log_config cfg,
                                               std::int64_t now_ms = 5000) {
  auto log = partition_log::open(dir, cfg, now_ms);
  BOOST_REQUIRE_MESSAGE(log.has_value(), "open failed: " << (log ? "" : log.error().message()));
  return std::move(log).value();
}

inline append_result append_batch(partition_log& log, std::vector<std::byte> batch, std::int64_t now_ms = 5000,
                                  std::int32_t epoch = 3) {
  return log.append(batch, leader_epoch{epoch}, now_ms);
}

/// The bytes of every .log file in `dir`, as `ls -l *.log` adds them up.
inline std::uint64_t log_bytes(const std::filesystem::path& dir) {
  std::uint64_t total = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir))
    if (e.path().extension() == ".log") total += std::filesystem::file_size(e.path());
  return total;
}

/// small_config() with 1000-byte segments.
inline config::log_config segmented() {
  auto cfg = small_config();
  cfg.segment_bytes = 1000;
  return cfg;
}

/// 20 batches of 2 records (offsets 0..39, 200-byte values) over several
/// segments of `cfg` (1000-byte ones: segmented()).
inline std::unique_ptr<partition_log> open_filled(const std::filesystem::path& dir, config::log_config cfg) {
  auto log = open_log(dir, cfg);
  for (int i = 0; i < 20; ++i)
    BOOST_REQUIRE(append_batch(*log, make_batch(2, 200, 1000 + 10 * i)).error == append_errc::ok);
  BOOST_REQUIRE(log->segment_count() > 3u);
  return log;
}

}  // namespace sluice::storage::test
