// partition_log::size_in_bytes (Kafka's UnifiedLog.size, what DescribeLogDirs
// reports): the sum of the segments' .log file sizes on disk through
// appends, rolls, retention, truncation, compaction and a reopen.
#include <boost/test/unit_test.hpp>

#include <filesystem>

#include "tests/unit/storage/log_fixture.h"

using namespace sluice;
using namespace sluice::storage;
using namespace sluice::storage::test;

BOOST_AUTO_TEST_SUITE(log_size_suite)

BOOST_AUTO_TEST_CASE(an_empty_log_has_size_zero) {
  temp_dir dir;
  auto log = open_log(dir.path(), segmented());
  BOOST_TEST(log->size_in_bytes() == 0u);
  BOOST_TEST(log_bytes(dir.path()) == 0u);
}

BOOST_AUTO_TEST_CASE(the_size_is_the_sum_of_every_segment_file_and_grows_by_each_batch) {
  temp_dir dir;
  auto log = open_log(dir.path(), segmented());
  std::uint64_t appended = 0;
  for (int i = 0; i < 20; ++i) {
    auto batch = make_batch(2, 200, 1000 + 10 * i);
    appended += batch.size();
    BOOST_REQUIRE(append_batch(*log, std::move(batch)).error == append_errc::ok);
    BOOST_TEST(log->size_in_bytes() == appended);
  }
  BOOST_REQUIRE(log->segment_count() > 3u);  // the sum spans several segments
  BOOST_TEST(log->size_in_bytes() == log_bytes(dir.path()));
}

BOOST_AUTO_TEST_CASE(retention_below_the_log_start_shrinks_it_to_the_files_left) {
  temp_dir dir;
  auto log = open_filled(dir.path(), segmented());
  const auto before = log->size_in_bytes();
  // DeleteRecords moves the log start; the bytes go with the retention tick.
  BOOST_REQUIRE(log->increment_log_start_offset(offset{30}).has_value());
  BOOST_TEST(log->size_in_bytes() == before);
  BOOST_REQUIRE(log->apply_retention(5000) > 0u);
  BOOST_TEST(log->size_in_bytes() < before);
  BOOST_TEST(log->size_in_bytes() == log_bytes(dir.path()));
}

BOOST_AUTO_TEST_CASE(truncation_and_a_reopen_agree_with_the_files) {
  temp_dir dir;
  {
    auto log = open_filled(dir.path(), segmented());
    const auto before = log->size_in_bytes();
    BOOST_REQUIRE(log->truncate_to(offset{11}).has_value());
    BOOST_TEST(log->size_in_bytes() < before);
    BOOST_TEST(log->size_in_bytes() == log_bytes(dir.path()));
  }
  auto again = open_log(dir.path(), segmented());
  BOOST_TEST(again->size_in_bytes() == log_bytes(dir.path()));
  BOOST_TEST(again->size_in_bytes() > 0u);
}

BOOST_AUTO_TEST_CASE(compaction_counts_the_rewritten_segments) {
  temp_dir dir;
  auto cfg = segmented();
  cfg.cleanup_delete = false;
  cfg.cleanup_compact = true;
  auto log = open_log(dir.path(), cfg);
  // One key written over and over: the cleaner keeps one record of it.
  for (int i = 0; i < 20; ++i) {
    std::vector<protocol::record_to_build> records{
        {.key = "same", .value = std::string(200, 'v'), .headers = {}, .timestamp = 1000 + i}};
    BOOST_REQUIRE(append_batch(*log, protocol::build_batch(records, {})).error == append_errc::ok);
  }
  const auto before = log->size_in_bytes();
  BOOST_REQUIRE(!log->clean(100000).failed);
  BOOST_TEST(log->size_in_bytes() < before);
  BOOST_TEST(log->size_in_bytes() == log_bytes(dir.path()));
}

BOOST_AUTO_TEST_SUITE_END()
