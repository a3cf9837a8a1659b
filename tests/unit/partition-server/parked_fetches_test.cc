#include <boost/test/unit_test.hpp>

#include <memory>

#include "services/partition-server/parked_fetches.h"

using namespace sluice::partition_server;
using namespace sluice;  // offset, leader_epoch, node_id and their "none" values

namespace {

struct counted_waiter {
  int wakes = 0;
  std::shared_ptr<fetch_waiter> waiter;
  explicit counted_waiter(std::int64_t bytes) : waiter(std::make_shared<fetch_waiter>(bytes, [this] { ++wakes; })) {}
};

}  // namespace

BOOST_AUTO_TEST_SUITE(parked_fetches_suite)

BOOST_AUTO_TEST_CASE(followers_wake_on_appends_consumers_on_the_high_watermark) {
  parked_fetches parked;
  counted_waiter consumer(100), follower(100);
  parked.watch(consumer.waiter, false, offset{0}, offset{0});
  parked.watch(follower.waiter, true, offset{0}, offset{0});
  BOOST_TEST(parked.size() == 2u);
  parked.on_append(offset{3}, 150);  // offsets 0..2
  BOOST_TEST(follower.wakes == 1);
  BOOST_TEST(consumer.wakes == 0);
  parked.on_high_watermark(offset{2});  // not past the append yet
  BOOST_TEST(consumer.wakes == 0);
  parked.on_high_watermark(offset{3});
  BOOST_TEST(consumer.wakes == 1);
  BOOST_TEST(parked.size() == 0u);  // fired waiters are dropped
}

BOOST_AUTO_TEST_CASE(bytes_add_up_until_min_bytes) {
  parked_fetches parked;
  counted_waiter consumer(100);
  parked.watch(consumer.waiter, false, offset{0}, offset{0});
  parked.on_append(offset{1}, 60);
  parked.on_append(offset{2}, 60);
  parked.on_high_watermark(offset{1});
  BOOST_TEST(consumer.wakes == 0);
  parked.on_high_watermark(offset{2});
  BOOST_TEST(consumer.wakes == 1);
}

BOOST_AUTO_TEST_CASE(a_position_that_moved_since_the_read_wakes_at_once) {
  parked_fetches parked;
  counted_waiter late(100);
  parked.watch(late.waiter, false, offset{0}, offset{5});
  BOOST_TEST(late.wakes == 1);
  BOOST_TEST(parked.size() == 0u);
  counted_waiter a(100), b(100);
  parked.watch(a.waiter, false, offset{5}, offset{5});
  parked.watch(b.waiter, true, offset{5}, offset{5});
  parked.wake_all();
  BOOST_TEST(a.wakes == 1);
  BOOST_TEST(b.wakes == 1);
  BOOST_TEST(parked.size() == 0u);
}

BOOST_AUTO_TEST_CASE(read_committed_consumers_wake_on_the_last_stable_offset) {
  parked_fetches parked;
  counted_waiter committed(100), uncommitted(100);
  parked.watch_committed(committed.waiter, offset{0}, offset{0});
  parked.watch(uncommitted.waiter, false, offset{0}, offset{0});
  parked.on_append(offset{3}, 150);  // a transaction's records, 0..2
  parked.on_high_watermark(offset{3});
  parked.on_last_stable_offset(offset{0});  // still open: the LSO stays
  BOOST_TEST(uncommitted.wakes == 1);
  BOOST_TEST(committed.wakes == 0);
  parked.on_append(offset{4}, 70);  // its marker
  parked.on_last_stable_offset(offset{4});
  BOOST_TEST(committed.wakes == 1);
  BOOST_TEST(parked.size() == 0u);

  counted_waiter late(100);
  parked.watch_committed(late.waiter, offset{0}, offset{4});  // the LSO moved since the read
  BOOST_TEST(late.wakes == 1);
}

BOOST_AUTO_TEST_CASE(appends_above_the_lso_are_merged_not_lost_past_the_bound) {
  parked_fetches parked;
  const std::size_t n = parked_fetches::max_above_lso + 10;
  for (std::size_t i = 1; i <= n; ++i) parked.on_append(offset{static_cast<std::int64_t>(i)}, 1);
  counted_waiter committed(static_cast<std::int64_t>(n));
  parked.watch_committed(committed.waiter, offset{0}, offset{0});
  parked.on_last_stable_offset(offset{static_cast<std::int64_t>(n) - 1});
  BOOST_TEST(committed.wakes == 0);  // every byte but the last append's counted
  parked.on_last_stable_offset(offset{static_cast<std::int64_t>(n)});
  BOOST_TEST(committed.wakes == 1);
}

BOOST_AUTO_TEST_SUITE_END()
