#include <boost/test/unit_test.hpp>

#include <optional>
#include <vector>

#include "services/partition-server/commit_waiters.h"

using namespace sluice::partition_server;
using namespace sluice;  // offset, leader_epoch, node_id and their "none" values
namespace pv1 = sluice::partition::v1;

BOOST_AUTO_TEST_SUITE(commit_waiters_suite)

BOOST_AUTO_TEST_CASE(a_wait_is_answered_once_when_the_high_watermark_reaches_it) {
  commit_waiters w;
  std::vector<std::pair<int, pv1::PartitionError>> answers;
  w.add(offset{5}, 1000, [&](pv1::PartitionError e) { answers.emplace_back(1, e); });
  w.add(offset{9}, 1000, [&](pv1::PartitionError e) { answers.emplace_back(2, e); });
  w.complete_up_to(offset{4}, pv1::PARTITION_OK);
  BOOST_TEST(answers.empty());
  w.complete_up_to(offset{5}, pv1::NOT_ENOUGH_REPLICAS_AFTER_APPEND);
  BOOST_REQUIRE(answers.size() == 1u);
  BOOST_TEST(answers[0].first == 1);
  BOOST_TEST(answers[0].second == pv1::NOT_ENOUGH_REPLICAS_AFTER_APPEND);
  w.complete_up_to(offset{20}, pv1::PARTITION_OK);
  w.complete_up_to(offset{30}, pv1::PARTITION_OK);
  BOOST_REQUIRE(answers.size() == 2u);
  BOOST_TEST(answers[1].second == pv1::PARTITION_OK);
  BOOST_TEST(w.empty());
}

BOOST_AUTO_TEST_CASE(deadlines_time_out_and_say_the_next_one) {
  commit_waiters w;
  std::optional<pv1::PartitionError> a, b;
  w.add(offset{5}, 100, [&](pv1::PartitionError e) { a = e; });
  w.add(offset{6}, 300, [&](pv1::PartitionError e) { b = e; });
  BOOST_TEST(w.expire(99) == 100);
  BOOST_TEST(!a.has_value());
  BOOST_TEST(w.expire(100) == 300);
  BOOST_TEST((a == pv1::REQUEST_TIMED_OUT));
  BOOST_TEST(!b.has_value());
  BOOST_TEST(w.expire(300) == -1);
  BOOST_TEST((b == pv1::REQUEST_TIMED_OUT));
}

BOOST_AUTO_TEST_CASE(fail_all_answers_every_wait_and_a_callback_may_add_another) {
  commit_waiters w;
  std::vector<pv1::PartitionError> answers;
  w.add(offset{5}, 100, [&](pv1::PartitionError e) {
    answers.push_back(e);
    w.add(offset{7}, 100, [&](pv1::PartitionError again) { answers.push_back(again); });  // left for later
  });
  w.fail_all(pv1::NOT_LEADER);
  BOOST_TEST(answers.size() == 1u);
  BOOST_TEST(!w.empty());
  w.fail_all(pv1::NOT_LEADER);
  BOOST_TEST(answers.size() == 2u);
  BOOST_TEST(w.empty());
}

BOOST_AUTO_TEST_SUITE_END()
