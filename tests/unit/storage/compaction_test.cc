// Log compaction (cleanup.policy=compact): partition_log::clean() and the
// pieces under it (log_cleaner.h, protocol::filter_batch).
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "services/partition-server/storage/offset_checkpoint.h"
#include "services/partition-server/storage/file_names.h"
#include "services/partition-server/storage/log_cleaner.h"
#include "services/partition-server/storage/log_format.h"
#include "tests/unit/storage/log_fixture.h"

using namespace sluice;
using namespace sluice::storage;
using namespace sluice::storage::test;

namespace {

using opt = std::optional<std::string>;

struct rec {
  std::int64_t offset = -1;
  opt key;
  opt value;
  std::int64_t timestamp = -1;
  bool operator==(const rec&) const = default;
};

std::ostream& operator<<(std::ostream& os, const rec& r) {
  return os << r.offset << ":" << r.key.value_or("<null>") << "=" << r.value.value_or("<null>") << "@" << r.timestamp;
}

/// The log's topic configs as the partition server gets them: through
/// make_log_config, so the new keys' parsing is exercised too.
config::log_config compact_config(std::map<std::string, std::string> extra = {}) {
  std::map<std::string, std::string> o{{"cleanup.policy", "compact"},
                                       {"segment.bytes", "600"},
                                       {"index.interval.bytes", "128"},
                                       {"min.cleanable.dirty.ratio", "0"}};
  for (auto& [k, v] : extra) o[k] = v;
  return config::make_log_config(o);
}

/// One record per (key, value); a nullopt value is a tombstone.
std::vector<std::byte> keyed_batch(const std::vector<std::pair<opt, opt>>& kvs, std::int64_t ts,
                                   protocol::batch_build_options options = {}) {
  std::vector<protocol::record_to_build> records;
  for (std::size_t i = 0; i < kvs.size(); ++i)
    records.push_back({.key = kvs[i].first, .value = kvs[i].second, .headers = {},
                       .timestamp = ts + static_cast<std::int64_t>(i)});
  return protocol::build_batch(records, options);
}

/// Appends key=v<offset> with timestamp ts_base + offset (one batch per record).
void put(partition_log& log, opt key, std::int64_t ts_base = 1000, bool tombstone = false) {
  const std::int64_t at = log.log_end_offset()();
  auto r = append_batch(log, keyed_batch({{key, tombstone ? opt{} : opt{"v" + std::to_string(at)}}}, ts_base + at));
  BOOST_REQUIRE_MESSAGE(r.error == append_errc::ok, r.message);
}

/// `n` updates cycling over `keys` keys named k0, k1, ...
void fill(partition_log& log, int n, int keys, std::int64_t ts_base = 1000) {
  for (int i = 0; i < n; ++i) put(log, "k" + std::to_string(i % keys), ts_base);
}

/// Every record a read from the log start hands out; each batch must have a
/// good CRC and decode.
std::vector<rec> records_of(partition_log& log, std::int64_t from = -1) {
  auto out = read_all(log, from < 0 ? log.log_start_offset()() : from, 1 << 24);
  std::vector<rec> recs;
  std::vector<std::byte> scratch;
  protocol::batch_iterator it(out.bytes);
  while (auto b = it.next()) {
    const protocol::batch_header h(*b);
    std::span<const std::byte> records;
    BOOST_REQUIRE(protocol::batch_records(*b, scratch, records, 1 << 26).empty());
    auto err = protocol::for_each_record(records, h.records_count(), [&](const protocol::record_view& r) {
      auto str = [](const std::optional<std::span<const std::byte>>& s) -> opt {
        if (!s) return std::nullopt;
        return std::string(reinterpret_cast<const char*>(s->data()), s->size());
      };
      recs.push_back({h.base_offset() + r.offset_delta, str(r.key), str(r.value), h.base_timestamp() + r.timestamp_delta});
    });
    BOOST_REQUIRE_MESSAGE(err.empty(), err);
    BOOST_TEST(h.base_offset() + h.records_count() - 1 <= h.last_offset());
  }
  return recs;
}

std::vector<std::int64_t> segment_bases(const std::filesystem::path& dir) {
  std::vector<std::int64_t> bases;
  for (const auto& e : std::filesystem::directory_iterator(dir))
    if (auto b = parse_segment_file(e.path().filename().string(), log_format::log_suffix)) bases.push_back((*b)());
  std::sort(bases.begin(), bases.end());
  return bases;
}

/// What compaction must leave: below `clean_end` only the latest record per
/// key (latest among the records below clean_end) and no tombstone older
/// than `tombstone_horizon`; from clean_end on, everything.
std::vector<rec> expected_after(const std::vector<rec>& before, std::int64_t clean_end,
                                std::int64_t tombstone_horizon = INT64_MIN) {
  std::map<std::string, std::int64_t> latest;
  for (const auto& r : before)
    if (r.offset < clean_end && r.key) latest[*r.key] = r.offset;
  std::vector<rec> out;
  for (const auto& r : before) {
    if (r.offset >= clean_end) {
      out.push_back(r);
      continue;
    }
    if (!r.key || latest[*r.key] != r.offset) continue;
    if (!r.value && r.timestamp < tombstone_horizon) continue;
    out.push_back(r);
  }
  return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(compaction)

BOOST_AUTO_TEST_CASE(config_keys_are_parsed) {
  auto cfg = compact_config({{"cleanup.policy", "compact,delete"},
                             {"min.compaction.lag.ms", "1500"},
                             {"delete.retention.ms", "100"},
                             {"min.cleanable.dirty.ratio", "0.25"}});
  BOOST_TEST(cfg.cleanup_compact);
  BOOST_TEST(cfg.cleanup_delete);
  BOOST_TEST(cfg.min_compaction_lag_ms == 1500);
  BOOST_TEST(cfg.delete_retention_ms == 100);
  BOOST_TEST(cfg.min_cleanable_dirty_ratio == 0.25);
  auto defaults = config::make_log_config({});
  BOOST_TEST(defaults.min_compaction_lag_ms == 0);
  BOOST_TEST(defaults.delete_retention_ms == 86400000);
  BOOST_TEST(defaults.min_cleanable_dirty_ratio == 0.5);
}

BOOST_AUTO_TEST_CASE(keeps_the_latest_record_per_key_at_its_offset) {
  temp_dir dir;
  auto log = open_log(dir.path(), compact_config());
  fill(*log, 60, 4);
  const auto bases = segment_bases(dir.path());
  BOOST_REQUIRE(bases.size() > 3);
  const auto before = records_of(*log);

  auto r = log->clean(100000);
  BOOST_TEST(!r.failed);
  BOOST_TEST(r.segments_rewritten + r.segments_removed > 0u);
  BOOST_TEST(r.first_dirty_offset == offset{bases.back()});  // everything sealed was cleaned
  BOOST_TEST(r.records_removed > 0);
  const auto expected = expected_after(before, bases.back());
  BOOST_TEST(records_of(*log) == expected, boost::test_tools::per_element());
  BOOST_TEST(log->log_start_offset() == offset{0});
  BOOST_TEST(log->log_end_offset() == offset{60});
  // Middle segments left with nothing were deleted; the first one stays
  // (it holds the log start) and so does the active one.
  BOOST_TEST(log->segment_count() < bases.size());
  BOOST_TEST(segment_bases(dir.path()).front() == 0);

  // Appends carry on at the same offsets, and a reopened log (indexes of the
  // rewritten segments rebuilt, segments missing in the middle) agrees.
  put(*log, "k1");
  BOOST_TEST(log->log_end_offset() == offset{61});
  auto now = records_of(*log);
  log->close();
  auto again = open_log(dir.path(), compact_config());
  BOOST_TEST(again->log_end_offset() == offset{61});
  BOOST_TEST(records_of(*again) == now, boost::test_tools::per_element());
  BOOST_TEST(again->first_dirty_offset() == offset{bases.back()});
  // A kept record is still found by its timestamp.
  const rec& kept = expected.front();
  BOOST_TEST(again->offset_for_timestamp(kept.timestamp).offset == offset{kept.offset});
}

BOOST_AUTO_TEST_CASE(reads_skip_the_offsets_compaction_removed) {
  temp_dir dir;
  auto log = open_log(dir.path(), compact_config());
  fill(*log, 60, 3);
  const auto before = records_of(*log);
  BOOST_REQUIRE(log->clean(100000).segments_removed > 0u);
  const auto after = records_of(*log);
  std::set<std::int64_t> kept;
  for (const auto& r : after) kept.insert(r.offset);
  for (std::int64_t o = 0; o < 60; ++o) {
    // Whatever the offset, a read gives the batch of the first kept record at
    // or after it, whether the gap is inside a segment, at its end, or a
    // whole removed segment.
    auto out = read_all(*log, o, 1, true);
    BOOST_TEST_REQUIRE(out.batches.size() == 1u);
    BOOST_TEST(out.batches.front().base == *kept.lower_bound(o), "read at " << o);
    BOOST_TEST(!out.result.offset_out_of_range);
  }
  // A consumer bounded by the high watermark still stops before it.
  read_output bounded;
  log->read(offset{0}, 1 << 20, true, [&](std::size_t n) {
    bounded.bytes.resize(n);
    return std::span<std::byte>(bounded.bytes);
  }, offset{50});
  protocol::batch_iterator it(bounded.bytes);
  while (auto b = it.next()) BOOST_TEST(protocol::batch_header(*b).last_offset() < 50);
}

BOOST_AUTO_TEST_CASE(tombstones_stay_until_delete_retention_has_passed) {
  temp_dir dir;
  auto log = open_log(dir.path(), compact_config({{"delete.retention.ms", "10000"}}));
  put(*log, "a");
  put(*log, "b");
  put(*log, "a", 1000, true);  // offset 2, timestamp 1002
  fill(*log, 20, 2);           // keys k0, k1: rolls past the tombstone's segment
  auto before = records_of(*log);
  auto bases = segment_bases(dir.path());

  // Young tombstone: the older "a" goes, the tombstone stays for consumers
  // that have not read it yet.
  BOOST_REQUIRE(!log->clean(5000).failed);
  auto after = records_of(*log);
  BOOST_TEST(after == expected_after(before, bases.back()), boost::test_tools::per_element());
  BOOST_TEST(std::count_if(after.begin(), after.end(), [](const rec& r) { return r.key == "a"; }) == 1);

  // More updates make the log dirty again; once delete.retention.ms has
  // passed since the tombstone's timestamp, it is removed as well.
  fill(*log, 20, 2);
  before = records_of(*log);
  bases = segment_bases(dir.path());
  BOOST_REQUIRE(!log->clean(1002 + 10000 + 1).failed);
  after = records_of(*log);
  BOOST_TEST(after == expected_after(before, bases.back(), 1002 + 1), boost::test_tools::per_element());
  BOOST_TEST(std::none_of(after.begin(), after.end(), [](const rec& r) { return r.key == "a"; }));
  BOOST_TEST(std::any_of(after.begin(), after.end(), [](const rec& r) { return r.key == "b"; }));
}

BOOST_AUTO_TEST_CASE(records_without_a_key_are_refused_then_dropped) {
  temp_dir dir;
  auto delete_cfg = compact_config({{"cleanup.policy", "delete"}});
  auto log = open_log(dir.path(), delete_cfg);
  // Written while the topic was cleanup.policy=delete, which allows them.
  for (int i = 0; i < 10; ++i) {
    put(*log, std::nullopt);
    put(*log, "k" + std::to_string(i));
  }
  log->update_config(compact_config());
  const offset end = log->log_end_offset();
  auto refused = append_batch(*log, keyed_batch({{"k", "v"}, {std::nullopt, "v"}}, 5000));
  BOOST_TEST((refused.error == append_errc::invalid_record));
  BOOST_TEST(refused.message.find("without a key") != std::string::npos, refused.message);
  BOOST_TEST(log->log_end_offset() == end);  // the keyed record of that batch did not go in either

  const auto before = records_of(*log);
  const auto bases = segment_bases(dir.path());
  BOOST_REQUIRE(!log->clean(100000).failed);
  const auto after = records_of(*log);
  BOOST_TEST(after == expected_after(before, bases.back()), boost::test_tools::per_element());
  for (const auto& r : after)
    if (r.offset < bases.back()) BOOST_TEST(r.key.has_value());
}

BOOST_AUTO_TEST_CASE(compressed_batches_are_reencoded_with_their_codec) {
  using protocol::compression_codec;
  struct variant {
    compression_codec codec;
    bool xerial;
  };
  for (auto v : {variant{compression_codec::gzip, false}, variant{compression_codec::snappy, false},
                 variant{compression_codec::snappy, true}, variant{compression_codec::lz4, false},
                 variant{compression_codec::zstd, false}}) {
    BOOST_TEST_CONTEXT("codec " << protocol::codec_name(v.codec) << (v.xerial ? " (xerial)" : "")) {
      temp_dir dir;
      auto log = open_log(dir.path(), compact_config());
      // Offsets 0..4; k0@0 and k1@1 are superseded within the batch. k1@1
      // carries the batch's largest timestamp, which must not survive it.
      std::vector<protocol::record_to_build> records{
          {.key = "k0", .value = "v0", .headers = {}, .timestamp = 1000},
          {.key = "k1", .value = "v1", .headers = {{"h", "x"}}, .timestamp = 9000},
          {.key = "k0", .value = "v2", .headers = {}, .timestamp = 1002},
          {.key = "k2", .value = std::string(300, 'z'), .headers = {{"h", std::nullopt}}, .timestamp = 1003},
          {.key = "k1", .value = "v4", .headers = {}, .timestamp = 1004}};
      auto batch = protocol::build_batch(records, {.codec = v.codec, .snappy_xerial = v.xerial,
                                                   .producer_id = 7, .producer_epoch = 2, .base_sequence = 0});
      BOOST_REQUIRE(append_batch(*log, batch, 5000, 4).error == append_errc::ok);
      // Other keys: they roll the segment and leave the batch's records alone.
      for (int i = 0; i < 12; ++i) put(*log, "z" + std::to_string(i), 2000);
      BOOST_REQUIRE(segment_bases(dir.path()).size() > 1);
      BOOST_REQUIRE(!log->clean(100000).failed);

      auto out = read_all(*log, 0, 1, true);
      BOOST_TEST_REQUIRE(out.batches.size() == 1u);
      std::span<const std::byte> b(out.bytes);
      BOOST_TEST(protocol::batch_is_intact(b));
      const protocol::batch_header h(b);
      BOOST_TEST(h.base_offset() == 0);
      BOOST_TEST(h.last_offset() == 4);  // lastOffsetDelta kept: the batch still ends at 4
      BOOST_TEST(h.records_count() == 3);
      BOOST_TEST((h.compression() == v.codec));
      BOOST_TEST(h.partition_leader_epoch() == 4);
      BOOST_TEST(h.producer_id() == 7);
      BOOST_TEST(h.producer_epoch() == 2);
      BOOST_TEST(h.base_sequence() == 0);
      BOOST_TEST(h.base_timestamp() == 1000);
      BOOST_TEST(h.max_timestamp() == 1004);
      BOOST_TEST(b.size() < batch.size());
      if (v.codec == compression_codec::snappy) {
        const bool framed = static_cast<unsigned char>(b[protocol::batch_layout::records]) == 0x82;
        BOOST_TEST(framed == v.xerial);
      }
      std::vector<std::byte> scratch;
      std::span<const std::byte> body;
      BOOST_REQUIRE(protocol::batch_records(b, scratch, body, 1 << 20).empty());
      std::vector<std::int32_t> deltas;
      std::vector<std::int64_t> stamps;
      std::vector<std::size_t> header_counts;
      BOOST_TEST(protocol::for_each_record(body, h.records_count(), [&](const protocol::record_view& r) {
                   deltas.push_back(r.offset_delta);
                   stamps.push_back(h.base_timestamp() + r.timestamp_delta);
                   header_counts.push_back(r.headers.size());
                 }).empty());
      BOOST_TEST(deltas == (std::vector<std::int32_t>{2, 3, 4}), boost::test_tools::per_element());
      BOOST_TEST(stamps == (std::vector<std::int64_t>{1002, 1003, 1004}), boost::test_tools::per_element());
      BOOST_TEST(header_counts == (std::vector<std::size_t>{0, 1, 0}), boost::test_tools::per_element());

      // A follower takes the rewritten batches as they are.
      temp_dir copy;
      auto follower = open_log(copy.path(), compact_config());
      auto all = read_all(*log, 0, 1 << 20);
      auto r = follower->append_replicated(all.bytes, 6000);
      BOOST_TEST((r.error == append_errc::ok), r.message);
      BOOST_TEST(records_of(*follower) == records_of(*log), boost::test_tools::per_element());
    }
  }
}

BOOST_AUTO_TEST_CASE(filter_batch_refuses_a_corrupt_batch) {
  auto batch = keyed_batch({{"a", "1"}, {"a", "2"}}, 1000);
  batch[batch.size() - 2] ^= std::byte{0x10};
  auto r = protocol::filter_batch(batch, [](const protocol::record_view&) { return false; });
  // No fresh CRC over corrupt bytes.
  BOOST_TEST((r.outcome == protocol::filter_outcome::failed));
  BOOST_TEST(r.bytes.empty());
}

BOOST_AUTO_TEST_CASE(min_compaction_lag_keeps_young_segments_whole) {
  temp_dir dir;
  auto log = open_log(dir.path(), compact_config({{"min.compaction.lag.ms", "10000"}}));
  fill(*log, 30, 3, 1000);    // timestamps 1000..1029
  fill(*log, 30, 3, 50000);   // timestamps 50030..50059
  const auto before = records_of(*log);
  const auto bases = segment_bases(dir.path());

  // At 55000 only segments whose newest record is older than 45000 qualify.
  auto r = log->clean(55000);
  BOOST_REQUIRE(!r.failed);
  const std::int64_t first_young = 30;
  // The cleaned range ends at the first segment holding a young record.
  const std::int64_t expected_end = *std::prev(std::upper_bound(bases.begin(), bases.end(), first_young));
  BOOST_TEST(log->first_dirty_offset() == offset{expected_end});
  BOOST_TEST(records_of(*log) == expected_after(before, expected_end), boost::test_tools::per_element());

  // Later everything sealed is old enough.
  BOOST_REQUIRE(!log->clean(200000).failed);
  BOOST_TEST(log->first_dirty_offset() == offset{bases.back()});
  BOOST_TEST(records_of(*log) == expected_after(before, bases.back()), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(dirty_ratio_decides_when_to_clean_and_is_checkpointed) {
  temp_dir dir;
  auto log = open_log(dir.path(), compact_config({{"min.cleanable.dirty.ratio", "0.9"}}));
  fill(*log, 40, 40);  // distinct keys: a first cleaning finds nothing to remove
  auto r = log->clean(100000);
  const std::int64_t clean_end = segment_bases(dir.path()).back();
  BOOST_TEST(r.first_dirty_offset == offset{clean_end});
  BOOST_TEST(r.records_removed == 0);
  BOOST_TEST(offset_checkpoint::load(dir.path(), offset_checkpoint::cleaner).value_or(no_offset) == offset{clean_end});

  // New updates of old keys fill and seal one more segment (two rolls: the
  // first may happen before any of them is written): dirty / (clean + dirty)
  // stays well below 0.9.
  const auto count = segment_bases(dir.path()).size();
  int i = 0;
  while (segment_bases(dir.path()).size() < count + 2) put(*log, "k" + std::to_string(i++ % 4));
  const auto before = records_of(*log);
  r = log->clean(100000);
  BOOST_TEST(r.first_dirty_offset == no_offset);  // did not run
  BOOST_TEST(log->first_dirty_offset() == offset{clean_end});
  BOOST_TEST(records_of(*log) == before, boost::test_tools::per_element());

  // The checkpoint outlives a restart, so the clean part still counts as clean.
  log->close();
  log = open_log(dir.path(), compact_config({{"min.cleanable.dirty.ratio", "0.9"}}));
  BOOST_TEST(log->first_dirty_offset() == offset{clean_end});
  BOOST_TEST(log->clean(100000).first_dirty_offset == no_offset);

  log->update_config(compact_config({{"min.cleanable.dirty.ratio", "0.01"}}));
  r = log->clean(100000);
  const auto bases = segment_bases(dir.path());
  BOOST_TEST(r.first_dirty_offset == offset{bases.back()});
  BOOST_TEST(r.records_removed > 0);
  BOOST_TEST(records_of(*log) == expected_after(before, bases.back()), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(the_active_segment_and_non_compacted_logs_are_left_alone) {
  temp_dir dir;
  auto log = open_log(dir.path(), compact_config({{"segment.bytes", "1048576"}}));
  fill(*log, 30, 2);
  const auto before = records_of(*log);
  auto r = log->clean(100000);
  BOOST_TEST(r.first_dirty_offset == no_offset);
  BOOST_TEST(log->segment_count() == 1u);
  BOOST_TEST(records_of(*log) == before, boost::test_tools::per_element());

  temp_dir other;
  auto plain = open_log(other.path(), compact_config({{"cleanup.policy", "delete"}, {"retention.ms", "-1"}}));
  fill(*plain, 60, 2);
  const auto plain_before = records_of(*plain);
  BOOST_TEST(plain->clean(100000).first_dirty_offset == no_offset);
  BOOST_TEST(records_of(*plain) == plain_before, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(segments_at_or_above_the_upper_bound_are_not_cleaned) {
  temp_dir dir;
  auto log = open_log(dir.path(), compact_config());
  fill(*log, 60, 3);
  const auto bases = segment_bases(dir.path());
  const auto before = records_of(*log);
  // The high watermark sits inside the third segment: only the first two
  // (wholly below it) may be cleaned.
  const std::int64_t hw = bases[2] + 1;
  BOOST_REQUIRE(!log->clean(100000, offset{hw}).failed);
  BOOST_TEST(log->first_dirty_offset() == offset{bases[2]});
  BOOST_TEST(records_of(*log) == expected_after(before, bases[2]), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(compact_delete_applies_both) {
  temp_dir dir;
  auto log = open_log(dir.path(), compact_config({{"cleanup.policy", "compact,delete"}, {"retention.ms", "50000"}}));
  fill(*log, 30, 3, 1000);
  fill(*log, 30, 3, 90000);
  const auto bases = segment_bases(dir.path());
  BOOST_TEST(log->apply_retention(100000) > 0u);  // the segments of the old batch of timestamps
  const auto before = records_of(*log);
  const offset start = log->log_start_offset();
  BOOST_TEST(start > offset{0});
  BOOST_REQUIRE(!log->clean(100000).failed);
  BOOST_TEST(log->log_start_offset() == start);
  BOOST_TEST(log->first_dirty_offset() == offset{bases.back()});
  BOOST_TEST(records_of(*log) == expected_after(before, bases.back()), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(an_unfinished_rewrite_is_deleted_at_open) {
  temp_dir dir;
  std::vector<rec> before;
  {
    auto log = open_log(dir.path(), compact_config());
    fill(*log, 40, 3);
    before = records_of(*log);
  }
  const auto leftover = segment_file(dir.path(), offset{0}, log_format::cleaned_suffix);
  std::ofstream(leftover) << "half a rewrite";
  auto log = open_log(dir.path(), compact_config());
  BOOST_TEST(!std::filesystem::exists(leftover));
  BOOST_TEST(records_of(*log) == before, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_committed_swap_is_installed_at_open) {
  temp_dir a, b;
  std::vector<rec> original;
  {
    auto log = open_log(a.path(), compact_config());
    fill(*log, 60, 3);
    original = records_of(*log);
  }
  std::filesystem::copy(a.path(), b.path(), std::filesystem::copy_options::recursive |
                                                std::filesystem::copy_options::overwrite_existing);
  const auto bases = segment_bases(b.path());
  std::vector<rec> cleaned;
  {
    auto log = open_log(a.path(), compact_config());
    BOOST_REQUIRE(log->clean(100000).segments_rewritten > 0u);
    cleaned = records_of(*log);
  }
  // b crashed between the rename to .swap and its installation: the old
  // .log and its indexes (index.interval.bytes 128: several entries, all
  // wrong for the new file) are still there.
  std::filesystem::copy_file(segment_file(a.path(), offset{0}, log_format::log_suffix),
                             segment_file(b.path(), offset{0}, log_format::swap_suffix));
  BOOST_REQUIRE(std::filesystem::file_size(segment_file(b.path(), offset{0}, log_format::index_suffix)) > 0);

  auto log = open_log(b.path(), compact_config());
  BOOST_TEST(!std::filesystem::exists(segment_file(b.path(), offset{0}, log_format::swap_suffix)));
  std::vector<rec> expected;
  for (const auto& r : cleaned)
    if (r.offset < bases[1]) expected.push_back(r);
  for (const auto& r : original)
    if (r.offset >= bases[1]) expected.push_back(r);
  BOOST_TEST(records_of(*log) == expected, boost::test_tools::per_element());
  // Reads by offset go through the rebuilt index.
  for (const auto& r : expected) {
    if (r.offset >= bases[1]) break;
    auto out = read_all(*log, r.offset, 1, true);
    BOOST_TEST_REQUIRE(out.batches.size() == 1u);
    BOOST_TEST(out.batches.front().base == r.offset);
  }
}

BOOST_AUTO_TEST_CASE(a_compacted_leader_log_replicates_with_gaps) {
  temp_dir a, b;
  auto leader = open_log(a.path(), compact_config());
  fill(*leader, 60, 3);
  BOOST_REQUIRE(leader->clean(100000).records_removed > 0);
  auto follower = open_log(b.path(), compact_config());
  // The follower fetches from its log end, as replica_fetcher does.
  for (int round = 0; round < 100 && follower->log_end_offset() < leader->log_end_offset(); ++round) {
    auto out = read_all(*leader, follower->log_end_offset()(), 300);
    BOOST_REQUIRE(!out.bytes.empty());
    auto r = follower->append_replicated(out.bytes, 6000);
    BOOST_REQUIRE_MESSAGE(r.error == append_errc::ok, r.message);
  }
  BOOST_TEST(follower->log_end_offset() == leader->log_end_offset());
  BOOST_TEST(records_of(*follower) == records_of(*leader), boost::test_tools::per_element());
  follower->close();
  auto reopened = open_log(b.path(), compact_config());
  BOOST_TEST(reopened->log_end_offset() == leader->log_end_offset());
  BOOST_TEST(records_of(*reopened) == records_of(*leader), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(find_cleanable_follows_kafkas_rules) {
  // base, end, size, max timestamp
  const std::vector<sealed_segment> sealed{{offset{0}, offset{10}, 100, 1000},
                                          {offset{10}, offset{20}, 100, 2000},
                                          {offset{20}, offset{30}, 300, 3000},
                                          {offset{30}, offset{40}, 100, 9000}};
  auto r = find_cleanable(sealed, offset{10}, offset{INT64_MAX}, 10000, 0);
  BOOST_TEST(r.segments == 4u);
  BOOST_TEST(r.first_dirty == 1u);
  BOOST_TEST(r.clean_bytes == 100u);
  BOOST_TEST(r.dirty_bytes == 500u);
  BOOST_TEST(r.end_offset == offset{40});
  BOOST_TEST(r.dirty_ratio() == 500.0 / 600.0);
  r = find_cleanable(sealed, offset{10}, offset{INT64_MAX}, 10000, 5000);  // 9000 > 10000 - 5000: the last is too young
  BOOST_TEST(r.segments == 3u);
  BOOST_TEST(r.end_offset == offset{30});
  r = find_cleanable(sealed, offset{10}, offset{25}, 10000, 0);  // high watermark inside the third
  BOOST_TEST(r.segments == 2u);
  BOOST_TEST(r.end_offset == offset{20});
  r = find_cleanable(sealed, offset{40}, offset{INT64_MAX}, 10000, 0);  // all clean
  BOOST_TEST(r.dirty_bytes == 0u);
  BOOST_TEST(r.dirty_ratio() == 0.0);
  r = find_cleanable(sealed, offset{0}, offset{INT64_MAX}, 1500, 1000);  // even the first dirty one is too young
  BOOST_TEST(r.segments == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
