// The leader's follower bookkeeping: high watermark and ISR proposals, on a
// fake clock.
#include <boost/test/unit_test.hpp>

#include "services/partition-server/replica_tracker.h"

using sluice::partition_server::replica_tracker;
using ids = std::vector<std::int32_t>;

namespace {
constexpr std::int64_t lag = 30000;

/// Leader 1 with followers 2 and 3, all in the ISR, at t=0.
replica_tracker three_in_sync() {
  replica_tracker t;
  t.reset(1, {1, 2, 3}, {1, 2, 3}, 0);
  return t;
}
}  // namespace

BOOST_AUTO_TEST_SUITE(tracker)

BOOST_AUTO_TEST_CASE(high_watermark_is_the_slowest_isr_member) {
  auto t = three_in_sync();
  BOOST_TEST(t.high_watermark(100) == -1);  // followers unknown since the leadership began: hold
  t.on_fetch(2, 100, 100, 10);
  BOOST_TEST(t.high_watermark(100) == -1);
  t.on_fetch(3, 60, 100, 10);
  BOOST_TEST(t.high_watermark(100) == 60);
  t.set_isr({1, 2});  // 3 left the ISR: it no longer holds the watermark
  BOOST_TEST(t.high_watermark(100) == 100);
  BOOST_TEST(t.high_watermark(100, {3}) == 60);  // a replica being added counts at once
}

BOOST_AUTO_TEST_CASE(sole_replica_commits_at_its_log_end) {
  replica_tracker t;
  t.reset(7, {7}, {7}, 0);
  BOOST_TEST(t.high_watermark(42) == 42);
  BOOST_TEST(!t.wanted_isr(1'000'000, lag, 42, 0).has_value());
}

BOOST_AUTO_TEST_CASE(lagging_member_leaves_only_after_the_lag_time) {
  auto t = three_in_sync();
  t.on_fetch(2, 100, 100, 1000);
  t.on_fetch(3, 50, 100, 1000);  // behind, and never caught up since t=0
  BOOST_TEST(!t.wanted_isr(lag, lag, 50, 0).has_value());
  t.on_fetch(2, 100, 100, lag + 1);
  auto w = t.wanted_isr(lag + 1, lag, 50, 0);
  BOOST_REQUIRE(w.has_value());
  BOOST_TEST(*w == (ids{1, 2}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(reaching_the_previous_end_counts_as_caught_up_then) {
  auto t = three_in_sync();
  t.on_fetch(3, 100, 100, 20000);    // caught up at 20000
  t.on_fetch(3, 100, 180, 40000);    // behind the current end, but at the end it saw last time
  t.on_fetch(3, 180, 260, 60000);    // again: caught up as of its previous fetch (40000)
  t.on_fetch(2, 260, 260, 60000);
  BOOST_TEST(!t.wanted_isr(65000, lag, 180, 0).has_value());  // 65000 - 40000 < lag
  auto w = t.wanted_isr(70001, lag, 180, 0);                   // 70001 - 40000 > lag
  BOOST_REQUIRE(w.has_value());
  BOOST_TEST(*w == (ids{1, 2}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(caught_up_replica_joins_after_reaching_hw_and_epoch_start) {
  replica_tracker t;
  t.reset(1, {1, 2, 3}, {1, 2}, 0);
  t.on_fetch(2, 100, 100, 10);
  t.on_fetch(3, 40, 100, 10);
  BOOST_TEST(!t.wanted_isr(20, lag, 100, 0).has_value());      // below the HW
  t.on_fetch(3, 100, 100, 30);
  BOOST_TEST(!t.wanted_isr(40, lag, 100, 120).has_value());    // below this epoch's first offset
  auto w = t.wanted_isr(40, lag, 100, 90);
  BOOST_REQUIRE(w.has_value());
  BOOST_TEST(*w == (ids{1, 2, 3}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(new_replicas_start_unknown_and_known_ones_keep_their_state) {
  auto t = three_in_sync();
  t.on_fetch(2, 80, 100, 10);
  t.on_fetch(3, 90, 100, 10);
  t.set_replicas({1, 2, 3, 4}, 20);
  BOOST_TEST(t.follower_leo(2) == 80);
  BOOST_TEST(t.follower_leo(4) == -1);
  BOOST_TEST(t.high_watermark(100) == 80);
  BOOST_TEST(t.high_watermark(100, {4}) == -1);  // an adding replica with no fetch yet holds it
  BOOST_TEST(!t.on_fetch(9, 10, 100, 30));       // not a replica: ignored
}

BOOST_AUTO_TEST_SUITE_END()
