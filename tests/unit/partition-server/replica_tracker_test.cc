// The leader's follower bookkeeping: high watermark and ISR proposals, on a
// fake clock.
#include <boost/test/unit_test.hpp>

#include "services/partition-server/replica_tracker.h"

using sluice::partition_server::replica_tracker;
using namespace sluice;  // offset, leader_epoch, node_id and their "none" values
using ids = std::vector<node_id>;

namespace {
constexpr std::int64_t lag = 30000;

node_id n(std::int32_t id) { return node_id{id}; }
offset at(std::int64_t value) { return offset{value}; }
ids nodes(std::initializer_list<std::int32_t> raw) {
  ids out;
  for (auto id : raw) out.push_back(node_id{id});
  return out;
}

/// Leader 1 with followers 2 and 3, all in the ISR, at t=0.
replica_tracker three_in_sync() {
  replica_tracker t;
  t.reset(n(1), nodes({1, 2, 3}), nodes({1, 2, 3}), 0);
  return t;
}
}  // namespace

BOOST_AUTO_TEST_SUITE(tracker)

BOOST_AUTO_TEST_CASE(high_watermark_is_the_slowest_isr_member) {
  auto t = three_in_sync();
  BOOST_TEST(t.high_watermark(at(100)) == no_offset);  // followers unknown since the leadership began: hold
  t.on_fetch(n(2), at(100), at(100), 10);
  BOOST_TEST(t.high_watermark(at(100)) == no_offset);
  t.on_fetch(n(3), at(60), at(100), 10);
  BOOST_TEST(t.high_watermark(at(100)) == offset{60});
  t.set_isr(nodes({1, 2}));  // 3 left the ISR: it no longer holds the watermark
  BOOST_TEST(t.high_watermark(at(100)) == offset{100});
  BOOST_TEST(t.high_watermark(at(100), nodes({3})) == offset{60});  // a replica being added counts at once
}

BOOST_AUTO_TEST_CASE(sole_replica_commits_at_its_log_end) {
  replica_tracker t;
  t.reset(n(7), nodes({7}), nodes({7}), 0);
  BOOST_TEST(t.high_watermark(at(42)) == offset{42});
  BOOST_TEST(!t.wanted_isr(1'000'000, lag, at(42), at(0)).has_value());
}

BOOST_AUTO_TEST_CASE(lagging_member_leaves_only_after_the_lag_time) {
  auto t = three_in_sync();
  t.on_fetch(n(2), at(100), at(100), 1000);
  t.on_fetch(n(3), at(50), at(100), 1000);  // behind, and never caught up since t=0
  BOOST_TEST(!t.wanted_isr(lag, lag, at(50), at(0)).has_value());
  t.on_fetch(n(2), at(100), at(100), lag + 1);
  auto w = t.wanted_isr(lag + 1, lag, at(50), at(0));
  BOOST_REQUIRE(w.has_value());
  BOOST_TEST(*w == nodes({1, 2}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(reaching_the_previous_end_counts_as_caught_up_then) {
  auto t = three_in_sync();
  t.on_fetch(n(3), at(100), at(100), 20000);    // caught up at 20000
  t.on_fetch(n(3), at(100), at(180), 40000);    // behind the current end, but at the end it saw last time
  t.on_fetch(n(3), at(180), at(260), 60000);    // again: caught up as of its previous fetch (40000)
  t.on_fetch(n(2), at(260), at(260), 60000);
  BOOST_TEST(!t.wanted_isr(65000, lag, at(180), at(0)).has_value());  // 65000 - 40000 < lag
  auto w = t.wanted_isr(70001, lag, at(180), at(0));                   // 70001 - 40000 > lag
  BOOST_REQUIRE(w.has_value());
  BOOST_TEST(*w == nodes({1, 2}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(caught_up_replica_joins_after_reaching_hw_and_epoch_start) {
  replica_tracker t;
  t.reset(n(1), nodes({1, 2, 3}), nodes({1, 2}), 0);
  t.on_fetch(n(2), at(100), at(100), 10);
  t.on_fetch(n(3), at(40), at(100), 10);
  BOOST_TEST(!t.wanted_isr(20, lag, at(100), at(0)).has_value());      // below the HW
  t.on_fetch(n(3), at(100), at(100), 30);
  BOOST_TEST(!t.wanted_isr(40, lag, at(100), at(120)).has_value());    // below this epoch's first offset
  auto w = t.wanted_isr(40, lag, at(100), at(90));
  BOOST_REQUIRE(w.has_value());
  BOOST_TEST(*w == nodes({1, 2, 3}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(new_replicas_start_unknown_and_known_ones_keep_their_state) {
  auto t = three_in_sync();
  t.on_fetch(n(2), at(80), at(100), 10);
  t.on_fetch(n(3), at(90), at(100), 10);
  t.set_replicas(nodes({1, 2, 3, 4}), 20);
  BOOST_TEST(t.follower_leo(n(2)) == offset{80});
  BOOST_TEST(t.follower_leo(n(4)) == no_offset);
  BOOST_TEST(t.high_watermark(at(100)) == offset{80});
  BOOST_TEST(t.high_watermark(at(100), nodes({4})) == no_offset);  // an adding replica with no fetch yet holds it
  BOOST_TEST(!t.on_fetch(n(9), at(10), at(100), 30));       // not a replica: ignored
}

BOOST_AUTO_TEST_SUITE_END()
