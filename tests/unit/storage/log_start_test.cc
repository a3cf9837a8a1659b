// The log start offset as DeleteRecords moves it (Kafka's
// maybeIncrementLogStartOffset): reads, ListOffsets lookups, segment
// deletion on the retention path, the epoch cache, truncation, and the
// log-start-offset-checkpoint across a reopen.
#include <boost/test/unit_test.hpp>

#include <filesystem>

#include "services/partition-server/storage/file_names.h"
#include "services/partition-server/storage/leader_epoch_cache.h"
#include "services/partition-server/storage/offset_checkpoint.h"
#include "tests/unit/storage/log_fixture.h"

using namespace sluice;
using namespace sluice::storage;
using namespace sluice::storage::test;

BOOST_AUTO_TEST_SUITE(log_start_suite)

BOOST_AUTO_TEST_CASE(records_below_the_log_start_are_out_of_range_at_once) {
  temp_dir dir;
  auto log = open_filled(dir.path(), segmented());
  const auto segments = log->segment_count();
  BOOST_REQUIRE(log->increment_log_start_offset(offset{15}).has_value());
  BOOST_TEST(log->log_start_offset() == offset{15});
  BOOST_TEST(log->segment_count() == segments);  // the files go with retention, not here
  BOOST_TEST(read_all(*log, 0, 1 << 20).result.offset_out_of_range);
  BOOST_TEST(read_all(*log, 14, 1 << 20).result.offset_out_of_range);
  // The batch holding the start is given whole (the consumer skips below its
  // fetch offset, as with Kafka).
  auto out = read_all(*log, 15, 1 << 20);
  BOOST_TEST(!out.result.offset_out_of_range);
  BOOST_TEST(out.result.log_start_offset == offset{15});
  BOOST_REQUIRE(!out.batches.empty());
  BOOST_TEST(out.batches.front().base == 14);
  BOOST_TEST(out.batches.back().last == 39);
  // Timestamp lookups start at the log start, inside the batch holding it.
  BOOST_TEST(log->offset_for_timestamp(0).offset == offset{15});
  BOOST_TEST(log->offset_for_timestamp(1000 + 10 * 9).offset == offset{18});
  BOOST_TEST(append_batch(*log, make_batch(1)).log_start_offset == offset{15});
}

BOOST_AUTO_TEST_CASE(the_log_start_only_moves_up_and_never_past_the_log_end) {
  temp_dir dir;
  auto log = open_filled(dir.path(), segmented());
  BOOST_REQUIRE(log->increment_log_start_offset(offset{10}).has_value());
  BOOST_REQUIRE(log->increment_log_start_offset(offset{4}).has_value());
  BOOST_TEST(log->log_start_offset() == offset{10});
  BOOST_REQUIRE(log->increment_log_start_offset(offset{1000}).has_value());
  BOOST_TEST(log->log_start_offset() == offset{40});
  BOOST_TEST(log->log_end_offset() == offset{40});
  BOOST_TEST(!read_all(*log, 40, 1 << 20).result.offset_out_of_range);  // empty, not out of range
  BOOST_TEST(read_all(*log, 39, 1 << 20).result.offset_out_of_range);
}

BOOST_AUTO_TEST_CASE(retention_deletes_the_segments_wholly_below_the_log_start_whatever_the_policy) {
  temp_dir dir;
  auto cfg = segmented();
  cfg.cleanup_delete = false;  // compact: Kafka still drops segments below the log start
  cfg.cleanup_compact = true;
  auto log = open_filled(dir.path(), cfg);
  const auto segments = log->segment_count();
  BOOST_TEST(log->apply_retention(5000) == 0u);
  // Offset 15 lies inside some segment: it and those after it stay.
  BOOST_REQUIRE(log->increment_log_start_offset(offset{15}).has_value());
  const auto deleted = log->apply_retention(5000);
  BOOST_TEST(deleted > 0u);
  BOOST_TEST(log->segment_count() == segments - deleted);
  BOOST_TEST(log->log_start_offset() == offset{15});
  BOOST_TEST(!std::filesystem::exists(segment_file(dir.path(), offset{0}, ".log")));
  std::int64_t first_base = INT64_MAX;
  for (const auto& e : std::filesystem::directory_iterator(dir.path()))
    if (e.path().extension() == ".log") first_base = std::min<std::int64_t>(first_base, std::stoll(e.path().stem().string()));
  BOOST_TEST(first_base <= 15);
  BOOST_TEST(first_base > 0);
  auto out = read_all(*log, 15, 1 << 20);
  BOOST_REQUIRE(!out.batches.empty());
  BOOST_TEST(out.batches.front().base == 14);
  // At the log end the active segment stays (empty of readable records).
  BOOST_REQUIRE(log->increment_log_start_offset(log->log_end_offset()).has_value());
  log->apply_retention(5000);
  BOOST_TEST(log->segment_count() == 1u);
  BOOST_TEST(log->log_start_offset() == offset{40});
}

BOOST_AUTO_TEST_CASE(the_log_start_survives_a_reopen) {
  temp_dir dir;
  const auto cfg = segmented();
  {
    auto log = open_filled(dir.path(), cfg);
    BOOST_REQUIRE(log->increment_log_start_offset(offset{15}).has_value());
  }
  BOOST_TEST(offset_checkpoint::load(dir.path(), offset_checkpoint::log_start).value_or(no_offset) == offset{15});
  {
    auto log = open_log(dir.path(), cfg);
    BOOST_TEST(log->log_start_offset() == offset{15});
    BOOST_TEST(read_all(*log, 14, 1 << 20).result.offset_out_of_range);
    log->apply_retention(5000);  // the segments below go after the restart too
    BOOST_TEST(log->log_start_offset() == offset{15});
  }
  // Retention.ms past the checkpointed start: the first kept segment wins.
  auto later = cfg;
  later.retention_ms = 1;
  {
    auto log = open_log(dir.path(), later);
    log->apply_retention(1'000'000);
    BOOST_TEST(log->segment_count() == 1u);
    BOOST_TEST(log->log_start_offset() > offset{15});
  }
  auto log = open_log(dir.path(), later);
  BOOST_TEST(log->log_start_offset() > offset{15});
  BOOST_TEST(!read_all(*log, log->log_start_offset()(), 1 << 20).result.offset_out_of_range);
}

BOOST_AUTO_TEST_CASE(truncation_below_the_log_start_moves_it_down) {
  temp_dir dir;
  const auto cfg = segmented();
  auto log = open_filled(dir.path(), cfg);
  BOOST_REQUIRE(log->increment_log_start_offset(offset{30}).has_value());
  BOOST_REQUIRE(log->truncate_to(offset{20}).has_value());
  BOOST_TEST(log->log_end_offset() == offset{20});
  BOOST_TEST(log->log_start_offset() == offset{20});
  log.reset();
  BOOST_TEST(open_log(dir.path(), cfg)->log_start_offset() == offset{20});
  // A follower restarting empty at its leader's start.
  log = open_log(dir.path(), cfg);
  BOOST_REQUIRE(log->truncate_fully_and_start_at(offset{7}).has_value());
  BOOST_TEST(log->log_start_offset() == offset{7});
  log.reset();
  BOOST_TEST(open_log(dir.path(), cfg)->log_start_offset() == offset{7});
}

BOOST_AUTO_TEST_CASE(the_epoch_cache_forgets_epochs_wholly_below_the_log_start) {
  temp_dir dir;
  auto log = open_log(dir.path(), segmented());
  for (int epoch = 1; epoch <= 4; ++epoch)
    for (int i = 0; i < 3; ++i) append_batch(*log, make_batch(2), 5000, epoch);  // epoch e: offsets 6(e-1)..6e-1
  BOOST_REQUIRE(log->increment_log_start_offset(offset{8}).has_value());
  // Epoch 2 wrote offset 8: it stays, starting at 8; epoch 1 goes.
  BOOST_TEST(log->end_offset_for_epoch(leader_epoch{1}).epoch == leader_epoch{1});
  BOOST_TEST(log->end_offset_for_epoch(leader_epoch{1}).end_offset == offset{8});  // predates every entry
  BOOST_TEST(log->end_offset_for_epoch(leader_epoch{2}).end_offset == offset{12});
  leader_epoch_cache reloaded(dir.path());
  BOOST_REQUIRE(reloaded.load());
  BOOST_REQUIRE(reloaded.entries().size() == 3u);
  BOOST_TEST(reloaded.entries().front().epoch == leader_epoch{2});
  BOOST_TEST(reloaded.entries().front().start_offset == offset{8});
}

BOOST_AUTO_TEST_CASE(epoch_cache_truncate_from_start_keeps_the_epoch_covering_the_start) {
  temp_dir dir;
  leader_epoch_cache cache(dir.path());
  cache.assign(leader_epoch{1}, offset{0});
  cache.assign(leader_epoch{3}, offset{10});
  cache.assign(leader_epoch{5}, offset{20});
  BOOST_TEST(!cache.truncate_from_start(offset{0}));
  BOOST_TEST(cache.truncate_from_start(offset{10}));  // epoch 3 starts exactly there: epoch 1 goes
  BOOST_REQUIRE(cache.entries().size() == 2u);
  BOOST_TEST(cache.entries().front().epoch == leader_epoch{3});
  BOOST_TEST(cache.truncate_from_start(offset{25}));
  BOOST_REQUIRE(cache.entries().size() == 1u);
  BOOST_TEST(cache.entries().front().epoch == leader_epoch{5});
  BOOST_TEST(cache.entries().front().start_offset == offset{25});
  BOOST_TEST(!cache.truncate_from_start(offset{25}));
}

BOOST_AUTO_TEST_SUITE_END()
