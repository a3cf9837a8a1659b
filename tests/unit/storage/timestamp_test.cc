#include <boost/test/unit_test.hpp>

#include "tests/unit/storage/log_fixture.h"

using namespace sluice;
using namespace sluice::storage;
using namespace sluice::storage::test;

namespace {

std::vector<std::byte> batch_with_timestamps(std::initializer_list<std::int64_t> timestamps,
                                             protocol::compression_codec codec = protocol::compression_codec::none) {
  std::vector<protocol::record_to_build> records;
  for (auto ts : timestamps) records.push_back({.key = std::nullopt, .value = "v", .headers = {}, .timestamp = ts});
  return protocol::build_batch(records, {.codec = codec});
}

// offsets 0-2: 1000..1002; 3-7: 2000..2004 (gzip); 8: 1500; 9-11: 5000, 9000, 7000
void fill(partition_log& log) {
  BOOST_REQUIRE(append_batch(log, batch_with_timestamps({1000, 1001, 1002})).error == append_errc::ok);
  BOOST_REQUIRE(append_batch(log, batch_with_timestamps({2000, 2001, 2002, 2003, 2004},
                                                        protocol::compression_codec::gzip))
                    .error == append_errc::ok);
  BOOST_REQUIRE(append_batch(log, batch_with_timestamps({1500})).error == append_errc::ok);
  BOOST_REQUIRE(append_batch(log, batch_with_timestamps({5000, 9000, 7000}, protocol::compression_codec::lz4))
                    .error == append_errc::ok);
}

void check_queries(partition_log& log) {
  auto q = [&](std::int64_t ts) { return log.offset_for_timestamp(ts); };
  BOOST_TEST(q(0).offset == offset{0});
  BOOST_TEST(q(0).timestamp == 1000);
  BOOST_TEST(q(1001).offset == offset{1});
  BOOST_TEST(q(1003).offset == offset{3});
  BOOST_TEST(q(1003).timestamp == 2000);
  BOOST_TEST(q(1500).offset == offset{3});
  BOOST_TEST(q(2004).offset == offset{7});
  BOOST_TEST(q(2005).offset == offset{9});
  BOOST_TEST(q(8000).offset == offset{10});
  BOOST_TEST(q(8000).timestamp == 9000);
  BOOST_TEST(q(9001).offset == no_offset);
  BOOST_TEST(q(9001).timestamp == -1);
  auto max = log.max_timestamp();
  BOOST_TEST(max.offset == offset{10});
  BOOST_TEST(max.timestamp == 9000);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(timestamp_suite)

BOOST_AUTO_TEST_CASE(empty_log_has_no_timestamps) {
  temp_dir dir;
  auto log = open_log(dir.path(), small_config());
  BOOST_TEST(log->offset_for_timestamp(0).offset == no_offset);
  BOOST_TEST(log->max_timestamp().offset == no_offset);
  BOOST_TEST(log->max_timestamp().timestamp == -1);
}

BOOST_AUTO_TEST_CASE(finds_the_first_offset_at_or_after_a_timestamp) {
  for (std::int32_t interval : {1, 4096}) {
    temp_dir dir;
    auto cfg = small_config();
    cfg.index_interval_bytes = interval;
    {
      auto log = open_log(dir.path(), cfg);
      fill(*log);
      check_queries(*log);
    }
    auto reopened = open_log(dir.path(), cfg);  // from the .timeindex on disk
    check_queries(*reopened);
  }
}

BOOST_AUTO_TEST_CASE(timestamps_across_segments) {
  temp_dir dir;
  auto cfg = small_config();
  cfg.segment_bytes = 150;  // a batch or two per segment
  {
    auto log = open_log(dir.path(), cfg);
    fill(*log);
    BOOST_TEST(log->segment_count() >= 3u);
    check_queries(*log);
  }
  auto log = open_log(dir.path(), cfg);
  check_queries(*log);
}

BOOST_AUTO_TEST_CASE(many_batches_use_the_time_index) {
  temp_dir dir;
  auto cfg = small_config();
  cfg.segment_bytes = 20'000;
  auto log = open_log(dir.path(), cfg);
  for (int i = 0; i < 300; ++i) append_batch(*log, make_batch(2, 50, 10'000 + 10 * i));
  for (int i = 0; i < 300; i += 13) {
    auto r = log->offset_for_timestamp(10'000 + 10 * i + 1);
    BOOST_TEST(r.offset == offset{2 * i + 1});
    BOOST_TEST(r.timestamp == 10'000 + 10 * i + 1);
    auto between = log->offset_for_timestamp(10'000 + 10 * i + 5);
    BOOST_TEST(between.offset == (i + 1 < 300 ? offset{2 * i + 2} : no_offset));
  }
  BOOST_TEST(log->max_timestamp().offset == offset{599});
}

BOOST_AUTO_TEST_CASE(log_append_time_uses_the_broker_time) {
  temp_dir dir;
  auto cfg = small_config();
  cfg.log_append_time = true;
  auto log = open_log(dir.path(), cfg);
  append_batch(*log, batch_with_timestamps({1, 2, 3}), 50'000);
  append_batch(*log, batch_with_timestamps({4, 5}), 60'000);
  auto r = log->offset_for_timestamp(55'000);
  BOOST_TEST(r.offset == offset{3});
  BOOST_TEST(r.timestamp == 60'000);
  auto max = log->max_timestamp();
  BOOST_TEST(max.offset == offset{3});
  BOOST_TEST(max.timestamp == 60'000);
}

BOOST_AUTO_TEST_SUITE_END()
