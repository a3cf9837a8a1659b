#define BOOST_TEST_MODULE storage
#include <boost/test/unit_test.hpp>

#include <filesystem>

#include "services/partition-server/storage/file_names.h"
#include "tests/unit/storage/log_fixture.h"

using namespace sluice;
using namespace sluice::storage;
using namespace sluice::storage::test;

BOOST_AUTO_TEST_SUITE(partition_log_suite)

BOOST_AUTO_TEST_CASE(append_then_read_round_trip) {
  temp_dir dir;
  auto log = open_log(dir.path() / "t-0", small_config());
  BOOST_TEST(log->log_start_offset() == offset{0});
  BOOST_TEST(log->log_end_offset() == offset{0});

  auto r1 = append_batch(*log, make_batch(3));
  BOOST_TEST((r1.error == append_errc::ok), r1.message);
  BOOST_TEST(r1.base_offset == offset{0});
  BOOST_TEST(r1.last_offset == offset{2});
  BOOST_TEST(r1.log_append_time_ms == -1);
  auto r2 = append_batch(*log, make_batch(5, 100, 2000, protocol::compression_codec::zstd));
  BOOST_TEST(r2.base_offset == offset{3});
  BOOST_TEST(r2.last_offset == offset{7});
  BOOST_TEST(log->log_end_offset() == offset{8});

  auto out = read_all(*log, 0, 1 << 20);
  BOOST_TEST(!out.result.offset_out_of_range);
  BOOST_TEST(out.result.log_end_offset == offset{8});
  BOOST_REQUIRE(out.batches.size() == 2u);
  BOOST_TEST(out.batches[0].base == 0);
  BOOST_TEST(out.batches[1].base == 3);
  BOOST_TEST(out.batches[1].last == 7);
  const protocol::batch_header h(out.bytes);
  BOOST_TEST(h.partition_leader_epoch() == 3);
  BOOST_TEST((protocol::validate_batch(std::span<const std::byte>(out.bytes.data(), h.total_size()), {}).error ==
              protocol::append_errc::ok));
}

BOOST_AUTO_TEST_CASE(stamps_the_producer_bytes_in_place) {
  temp_dir dir;
  auto log = open_log(dir.path(), small_config());
  append_batch(*log, make_batch(2));
  auto batch = make_batch(4);
  auto r = log->append(batch, leader_epoch{9}, 5000);
  BOOST_TEST(r.base_offset == offset{2});
  const protocol::batch_header h(batch);
  BOOST_TEST(h.base_offset() == 2);
  BOOST_TEST(h.partition_leader_epoch() == 9);
  BOOST_TEST(protocol::batch_is_intact(batch));
}

BOOST_AUTO_TEST_CASE(several_batches_in_one_append_get_consecutive_offsets) {
  temp_dir dir;
  auto log = open_log(dir.path(), small_config());
  auto a = make_batch(2);
  auto b = make_batch(3, 10, 1, protocol::compression_codec::lz4);
  std::vector<std::byte> both(a);
  both.insert(both.end(), b.begin(), b.end());
  auto r = log->append(both, leader_epoch{0}, 1);
  BOOST_TEST((r.error == append_errc::ok), r.message);
  BOOST_TEST(r.base_offset == offset{0});
  BOOST_TEST(r.last_offset == offset{4});
  auto out = read_all(*log, 0, 1 << 20);
  BOOST_REQUIRE(out.batches.size() == 2u);
  BOOST_TEST(out.batches[1].base == 2);
}

BOOST_AUTO_TEST_CASE(nothing_is_appended_unless_every_batch_is_valid) {
  temp_dir dir;
  auto log = open_log(dir.path(), small_config());
  auto good = make_batch(2);
  auto bad = make_batch(2);
  bad[bad.size() - 3] ^= std::byte{1};
  std::vector<std::byte> both(good);
  both.insert(both.end(), bad.begin(), bad.end());
  auto r = log->append(both, leader_epoch{0}, 1);
  BOOST_TEST((r.error == append_errc::corrupt_message));
  BOOST_TEST(!r.message.empty());
  BOOST_TEST(log->log_end_offset() == offset{0});

  std::vector<std::byte> torn(good.begin(), good.end() - 1);
  BOOST_TEST((log->append(torn, leader_epoch{0}, 1).error == append_errc::corrupt_message));
  std::vector<std::byte> trailing(good);
  trailing.resize(trailing.size() + 20);
  BOOST_TEST((log->append(trailing, leader_epoch{0}, 1).error == append_errc::corrupt_message));
  BOOST_TEST((log->append({}, leader_epoch{0}, 1).error == append_errc::corrupt_message));
  BOOST_TEST(log->log_end_offset() == offset{0});
  BOOST_TEST(read_all(*log, 0, 1 << 20).bytes.empty());
}

BOOST_AUTO_TEST_CASE(validation_errors_map_to_append_errors) {
  temp_dir dir;
  auto cfg = small_config();
  cfg.max_message_bytes = 500;
  auto log = open_log(dir.path(), cfg);
  BOOST_TEST((append_batch(*log, make_batch(10)).error == append_errc::message_too_large));
  auto control = protocol::build_batch(std::vector<protocol::record_to_build>{{}}, {.transactional = true, .control = true});
  BOOST_TEST((append_batch(*log, control).error == append_errc::invalid_record));
  cfg.timestamp_before_max_ms = 1000;
  log->update_config(cfg);
  BOOST_TEST((append_batch(*log, make_batch(1, 10, 1000), 10'000).error == append_errc::invalid_timestamp));
  BOOST_TEST((append_batch(*log, make_batch(1, 10, 9500), 10'000).error == append_errc::ok));
}

BOOST_AUTO_TEST_CASE(offsets_continue_after_reopen) {
  temp_dir dir;
  {
    auto log = open_log(dir.path(), small_config());
    append_batch(*log, make_batch(4));
    append_batch(*log, make_batch(6));
    log->close();
  }
  auto log = open_log(dir.path(), small_config());
  BOOST_TEST(log->log_end_offset() == offset{10});
  auto r = append_batch(*log, make_batch(1));
  BOOST_TEST(r.base_offset == offset{10});
  auto out = read_all(*log, 0, 1 << 20);
  BOOST_TEST(out.batches.size() == 3u);
}

BOOST_AUTO_TEST_CASE(rolls_by_segment_bytes_and_reads_across_segments) {
  temp_dir dir;
  auto cfg = small_config();
  cfg.segment_bytes = 4096;
  auto log = open_log(dir.path(), cfg);
  const auto batch_size = make_batch(2, 400).size();
  for (int i = 0; i < 30; ++i) BOOST_REQUIRE(append_batch(*log, make_batch(2, 400)).error == append_errc::ok);
  const std::size_t per_segment = 4096 / batch_size;
  BOOST_TEST(log->segment_count() == (30 + per_segment - 1) / per_segment);
  BOOST_TEST(std::filesystem::exists(segment_file(dir.path(), offset{0}, ".log")));
  BOOST_TEST(std::filesystem::exists(segment_file(dir.path(), offset{static_cast<std::int64_t>(2 * per_segment)}, ".log")));
  BOOST_TEST(std::filesystem::exists(segment_file(dir.path(), offset{static_cast<std::int64_t>(2 * per_segment)}, ".index")));
  BOOST_TEST(std::filesystem::exists(segment_file(dir.path(), offset{static_cast<std::int64_t>(2 * per_segment)}, ".timeindex")));
  for (const auto& e : std::filesystem::directory_iterator(dir.path()))
    if (e.path().extension() == ".log") BOOST_TEST(std::filesystem::file_size(e.path()) <= 4096u);

  auto out = read_all(*log, 0, 1 << 20);
  BOOST_REQUIRE(out.batches.size() == 30u);
  for (int i = 0; i < 30; ++i) BOOST_TEST(out.batches[i].base == 2 * i);

  // From any offset, including the middle of a batch in a later segment.
  for (std::int64_t offset = 0; offset < 60; offset += 7) {
    auto part = read_all(*log, offset, 1 << 20);
    BOOST_REQUIRE(!part.batches.empty());
    BOOST_TEST(part.batches.front().base == offset - offset % 2);
    BOOST_TEST(part.batches.back().last == 59);
  }
}

BOOST_AUTO_TEST_CASE(read_from_the_middle_of_a_batch_starts_at_that_batch) {
  temp_dir dir;
  auto log = open_log(dir.path(), small_config());
  append_batch(*log, make_batch(5));
  append_batch(*log, make_batch(5));
  auto out = read_all(*log, 7, 1 << 20);
  BOOST_REQUIRE(out.batches.size() == 1u);
  BOOST_TEST(out.batches[0].base == 5);
  BOOST_TEST(out.batches[0].last == 9);
}

BOOST_AUTO_TEST_CASE(max_bytes_gives_whole_batches_and_min_one_gives_the_first) {
  temp_dir dir;
  auto cfg = small_config();
  cfg.index_interval_bytes = 1;  // every batch boundary indexed
  auto log = open_log(dir.path(), cfg);
  const auto size = static_cast<std::int32_t>(make_batch(3, 200).size());
  for (int i = 0; i < 10; ++i) append_batch(*log, make_batch(3, 200));

  auto none = read_all(*log, 0, size - 1, false);
  BOOST_TEST(none.bytes.empty());
  BOOST_TEST(!none.result.offset_out_of_range);
  auto one = read_all(*log, 0, size - 1, true);
  BOOST_TEST(one.batches.size() == 1u);
  auto two = read_all(*log, 3, 2 * size + size / 2, false);
  BOOST_REQUIRE(two.batches.size() == 2u);
  BOOST_TEST(two.batches[0].base == 3);
  BOOST_TEST(two.bytes.size() == static_cast<std::size_t>(2 * size));
  auto zero = read_all(*log, 0, 0, true);
  BOOST_TEST(zero.batches.size() == 1u);
}

BOOST_AUTO_TEST_CASE(max_bytes_is_respected_with_a_sparse_index) {
  temp_dir dir;
  auto log = open_log(dir.path(), small_config());  // index every 256 bytes
  for (int i = 0; i < 40; ++i) append_batch(*log, make_batch(1, 50));
  const std::size_t batch = make_batch(1, 50).size();
  for (std::int32_t limit : {100, 300, 1000, 2500}) {
    auto out = read_all(*log, 0, limit, true);
    BOOST_TEST(!out.batches.empty());
    if (static_cast<std::size_t>(limit) >= batch) {
      BOOST_TEST(out.bytes.size() <= static_cast<std::size_t>(limit));
      // Sparse index: at most one index interval plus a batch short of the limit.
      BOOST_TEST(out.bytes.size() + 256 + batch >= static_cast<std::size_t>(limit));
    }
  }
}

BOOST_AUTO_TEST_CASE(offsets_outside_the_log_are_out_of_range) {
  temp_dir dir;
  auto log = open_log(dir.path(), small_config());
  append_batch(*log, make_batch(3));
  auto at_end = read_all(*log, 3, 1000);
  BOOST_TEST(!at_end.result.offset_out_of_range);
  BOOST_TEST(at_end.bytes.empty());
  BOOST_TEST(at_end.result.log_end_offset == offset{3});
  BOOST_TEST(read_all(*log, 4, 1000).result.offset_out_of_range);
  BOOST_TEST(read_all(*log, -1, 1000).result.offset_out_of_range);
}

BOOST_AUTO_TEST_CASE(log_append_time_is_stamped_with_a_new_crc) {
  temp_dir dir;
  auto cfg = small_config();
  cfg.log_append_time = true;
  auto log = open_log(dir.path(), cfg);
  auto r = append_batch(*log, make_batch(3, 10, 1000, protocol::compression_codec::snappy), 777'000);
  BOOST_TEST((r.error == append_errc::ok), r.message);
  BOOST_TEST(r.log_append_time_ms == 777'000);
  auto out = read_all(*log, 0, 1 << 20);
  const protocol::batch_header h(out.bytes);
  BOOST_TEST((h.ts_type() == protocol::timestamp_type::log_append_time));
  BOOST_TEST(h.max_timestamp() == 777'000);
  BOOST_TEST((h.compression() == protocol::compression_codec::snappy));
  BOOST_TEST(protocol::batch_is_intact(out.bytes));
}

BOOST_AUTO_TEST_CASE(wrong_producer_max_timestamp_is_corrected) {
  temp_dir dir;
  auto log = open_log(dir.path(), small_config());
  auto batch = make_batch(3, 10, 1000);  // max 1002
  protocol::stamp_max_timestamp(batch, 5, protocol::timestamp_type::create_time);
  BOOST_TEST((log->append(batch, leader_epoch{0}, 1).error == append_errc::ok));
  auto out = read_all(*log, 0, 1 << 20);
  BOOST_TEST(protocol::batch_header(out.bytes).max_timestamp() == 1002);
  BOOST_TEST(protocol::batch_is_intact(out.bytes));
}

BOOST_AUTO_TEST_CASE(rolls_by_segment_ms) {
  temp_dir dir;
  auto cfg = small_config();
  cfg.segment_ms = 1000;
  auto log = open_log(dir.path(), cfg);
  append_batch(*log, make_batch(1), 10'000);
  append_batch(*log, make_batch(1), 10'500);
  BOOST_TEST(log->segment_count() == 1u);
  append_batch(*log, make_batch(1), 11'000);
  BOOST_TEST(log->segment_count() == 2u);
  BOOST_TEST(read_all(*log, 0, 1 << 20).batches.size() == 3u);
}

BOOST_AUTO_TEST_CASE(segment_ms_counts_from_the_reopening_time_it_is_given) {
  // The log has no clock of its own: a test drives time through open() and
  // each append, across a restart too.
  temp_dir dir;
  auto cfg = small_config();
  cfg.segment_ms = 1000;
  {
    auto log = open_log(dir.path(), cfg, 10'000);
    append_batch(*log, make_batch(1), 10'000);
    log->close();
  }
  auto log = open_log(dir.path(), cfg, 50'000);
  append_batch(*log, make_batch(1), 50'999);  // 999 ms after the reopening: same segment
  BOOST_TEST(log->segment_count() == 1u);
  append_batch(*log, make_batch(1), 51'000);
  BOOST_TEST(log->segment_count() == 2u);
  BOOST_TEST(read_all(*log, 0, 1 << 20).batches.size() == 3u);
  // Retention is driven by the same injected time.
  cfg.retention_ms = 30'000;
  log->update_config(cfg);
  BOOST_TEST(log->apply_retention(1000 + 30'000) == 0u);  // segment 0's newest record (1000) is 30 s old
  BOOST_TEST(log->apply_retention(1000 + 30'001) == 1u);
  BOOST_TEST(log->log_start_offset() == offset{2});
  BOOST_TEST(!std::filesystem::exists(segment_file(dir.path(), offset{0}, ".timeindex")));
}

BOOST_AUTO_TEST_CASE(flush_and_close_are_idempotent) {
  temp_dir dir;
  auto cfg = small_config();
  cfg.flush_messages = 1;  // fsync every append
  auto log = open_log(dir.path(), cfg);
  append_batch(*log, make_batch(2));
  BOOST_TEST(log->flush().has_value());
  log->close();
  log->close();
  BOOST_TEST((append_batch(*log, make_batch(1)).error == append_errc::storage_error));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(retention_suite)

BOOST_AUTO_TEST_CASE(retention_bytes_deletes_the_oldest_segments) {
  temp_dir dir;
  auto cfg = small_config();
  cfg.segment_bytes = 1000;
  auto log = open_log(dir.path(), cfg);
  for (int i = 0; i < 20; ++i) append_batch(*log, make_batch(2, 200));
  const auto segments = log->segment_count();
  BOOST_REQUIRE(segments > 3u);
  BOOST_TEST(log->apply_retention(5000) == 0u);  // defaults keep everything for 7 days
  cfg.retention_bytes = 2000;
  log->update_config(cfg);
  const auto deleted = log->apply_retention(5000);
  BOOST_TEST(deleted > 0u);
  BOOST_TEST(log->segment_count() == segments - deleted);
  std::uint64_t total = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir.path()))
    if (e.path().extension() == ".log") total += std::filesystem::file_size(e.path());
  BOOST_TEST(total >= 2000u);
  BOOST_TEST(log->log_start_offset() > offset{0});
  BOOST_TEST(!std::filesystem::exists(segment_file(dir.path(), offset{0}, ".log")));
  BOOST_TEST(!std::filesystem::exists(segment_file(dir.path(), offset{0}, ".index")));
  BOOST_TEST(read_all(*log, 0, 1000).result.offset_out_of_range);
  auto out = read_all(*log, log->log_start_offset()(), 1 << 20);
  BOOST_TEST(offset{out.batches.front().base} == log->log_start_offset());
  BOOST_TEST(out.batches.back().last == 39);
  BOOST_TEST(append_batch(*log, make_batch(1)).log_start_offset == log->log_start_offset());
  const auto start = log->log_start_offset();
  log.reset();
  BOOST_TEST(open_log(dir.path(), cfg)->log_start_offset() == start);
}

BOOST_AUTO_TEST_CASE(retention_ms_deletes_segments_whose_newest_record_is_too_old) {
  temp_dir dir;
  auto cfg = small_config();
  cfg.segment_bytes = 1000;
  cfg.retention_ms = 10'000;
  auto log = open_log(dir.path(), cfg);
  for (int i = 0; i < 20; ++i) append_batch(*log, make_batch(2, 200, 1000 * i), 1000 * i);
  const auto segments = log->segment_count();
  BOOST_TEST(log->apply_retention(10'000) == 0u);
  const auto deleted = log->apply_retention(30'000);  // keeps records newer than 20'000
  BOOST_TEST(deleted > 0u);
  BOOST_TEST(deleted < segments);
  BOOST_TEST(log->offset_for_timestamp(0).timestamp >= 1000 * (static_cast<std::int64_t>(deleted) - 1));
  BOOST_TEST(log->offset_for_timestamp(0).offset == log->log_start_offset());
  BOOST_TEST(log->apply_retention(1'000'000) == log->segment_count() - 1);  // never the active segment
  BOOST_TEST(log->segment_count() == 1u);
}

BOOST_AUTO_TEST_CASE(compacted_topics_are_not_deleted_by_retention) {
  temp_dir dir;
  auto cfg = small_config();
  cfg.segment_bytes = 1000;
  cfg.retention_bytes = 1;
  cfg.cleanup_delete = false;
  cfg.cleanup_compact = true;
  auto log = open_log(dir.path(), cfg);
  for (int i = 0; i < 20; ++i) append_batch(*log, make_batch(2, 200));
  BOOST_TEST(log->apply_retention(5000) == 0u);
  BOOST_TEST(log->log_start_offset() == offset{0});
}

BOOST_AUTO_TEST_SUITE_END()
