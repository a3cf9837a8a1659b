// DeleteRecords on a replicated partition (Kafka's deleteRecordsOnLeader and
// DelayedDeleteRecords): the leader's checks, the low watermark the ISR's
// fetches move, timeouts and lost leadership, and a follower following its
// leader's log start — partition_state driven directly with explicit times.
#include <boost/test/unit_test.hpp>

#include <optional>
#include <utility>

#include "tests/unit/partition-server/replicated_leader.h"

using namespace sluice::partition_server;
using namespace sluice;  // offset, leader_epoch, node_id and their "none" values
using namespace sluice::partition_server::test;
namespace pv1 = sluice::partition::v1;

namespace {

/// The leader with 10 records (offsets 0..9) every ISR member has fetched,
/// each reporting log start 0: the high watermark is 10.
struct filled_leader : leader_fixture {
  explicit filled_leader(std::map<std::string, std::string> configs = {})
      : leader_fixture({1, 2, 3}, "", std::move(configs)) {
    auto b = records(10);
    BOOST_REQUIRE(p->append(b, 10, -1).error == pv1::PARTITION_OK);
    follower_fetch(2, 10, 20, 4, 0);
    follower_fetch(3, 10, 20, 4, 0);
    BOOST_REQUIRE(p->high_watermark() == offset{10});
  }
};

struct answer {
  pv1::PartitionError error;
  offset low_watermark;
};

}  // namespace

BOOST_AUTO_TEST_SUITE(delete_records)

BOOST_AUTO_TEST_CASE(answered_once_every_isr_follower_moved_its_log_start) {
  filled_leader f;
  auto d = f.p->delete_records(offset{6});
  BOOST_REQUIRE(d.error == pv1::PARTITION_OK);
  BOOST_TEST(d.requested == offset{6});
  BOOST_TEST(f.p->log_start_offset() == offset{6});
  BOOST_TEST(f.p->low_watermark() == offset{0});
  std::optional<answer> got;
  f.p->await_low_watermark(d.requested, 5000, [&](pv1::PartitionError e, offset low) { got = answer{e, low}; });
  BOOST_TEST(!got.has_value());
  f.follower_fetch(2, 10, 30, 4, 6);
  BOOST_TEST(!got.has_value());  // 3 still starts at 0
  f.follower_fetch(3, 10, 40, 4, 4);
  BOOST_TEST(!got.has_value());
  f.follower_fetch(3, 10, 50, 4, 6);
  BOOST_REQUIRE(got.has_value());
  BOOST_TEST(got->error == pv1::PARTITION_OK);
  BOOST_TEST(got->low_watermark == offset{6});
  // Every reader on the leader sees it.
  BOOST_TEST(f.consumer_fetch(5).error == pv1::OFFSET_OUT_OF_RANGE);
  BOOST_TEST(f.consumer_fetch(6).error == pv1::PARTITION_OK);
  BOOST_TEST(f.consumer_fetch(6).log_start_offset == offset{6});
  BOOST_TEST(f.p->list_offset(-2, no_leader_epoch).offset == offset{6});
  BOOST_TEST(f.p->list_offset(-4, no_leader_epoch).offset == offset{6});
  BOOST_TEST(f.p->list_offset(0, no_leader_epoch).offset == offset{6});  // by timestamp: not below the start
}

BOOST_AUTO_TEST_CASE(minus_one_is_the_high_watermark_and_past_it_is_out_of_range) {
  filled_leader f;
  auto b = records(3);
  BOOST_REQUIRE(f.p->append(b, 60, 1).error == pv1::PARTITION_OK);  // LEO 13, HW still 10
  auto past = f.p->delete_records(offset{11});
  BOOST_TEST(past.error == pv1::OFFSET_OUT_OF_RANGE);
  BOOST_TEST(past.message.find("high watermark 10") != std::string::npos, past.message);
  BOOST_TEST(f.p->log_start_offset() == offset{0});
  BOOST_TEST(f.p->delete_records(offset{-2}).error == pv1::OFFSET_OUT_OF_RANGE);
  auto hw = f.p->delete_records(offset{-1});
  BOOST_REQUIRE(hw.error == pv1::PARTITION_OK);
  BOOST_TEST(hw.requested == offset{10});
  BOOST_TEST(f.p->log_start_offset() == offset{10});
  // Below the current start: nothing moves, answered at once with the low watermark.
  f.follower_fetch(2, 13, 70, 4, 10);
  f.follower_fetch(3, 13, 70, 4, 10);
  auto low = f.p->delete_records(offset{3});
  BOOST_REQUIRE(low.error == pv1::PARTITION_OK);
  std::optional<answer> got;
  f.p->await_low_watermark(low.requested, 5000, [&](pv1::PartitionError e, offset l) { got = answer{e, l}; });
  BOOST_REQUIRE(got.has_value());
  BOOST_TEST(got->low_watermark == offset{10});
}

BOOST_AUTO_TEST_CASE(compacted_topics_refuse_it_as_a_policy_violation) {
  // (Empty logs: a compacted topic takes keyed records only; the policy is checked first.)
  leader_fixture compacted({1, 2, 3}, "", {{"cleanup.policy", "compact"}});
  auto d = compacted.p->delete_records(offset{0});
  BOOST_TEST(d.error == pv1::INVALID_REQUEST);
  BOOST_TEST(d.policy_violation);
  BOOST_TEST(d.message == "Records of partition t-0 can not be deleted due to the configured policy");
  // compact,delete has delete: allowed, as in Kafka.
  leader_fixture both({1, 2, 3}, "", {{"cleanup.policy", "compact,delete"}});
  auto allowed = both.p->delete_records(offset{0});
  BOOST_TEST(allowed.error == pv1::PARTITION_OK);
  BOOST_TEST(!allowed.policy_violation);
}

BOOST_AUTO_TEST_CASE(times_out_fails_on_lost_leadership_and_a_shrunk_isr_completes_it) {
  filled_leader f;
  auto d = f.p->delete_records(offset{4});
  BOOST_REQUIRE(d.error == pv1::PARTITION_OK);
  std::optional<answer> timed, shrunk;
  f.p->await_low_watermark(d.requested, 100, [&](pv1::PartitionError e, offset l) { timed = answer{e, l}; });
  f.p->await_low_watermark(d.requested, 5000, [&](pv1::PartitionError e, offset l) { shrunk = answer{e, l}; });
  BOOST_TEST(f.p->expire_commits(99) == 100);
  BOOST_TEST(f.p->expire_commits(100) == 5000);
  BOOST_REQUIRE(timed.has_value());
  BOOST_TEST(timed->error == pv1::REQUEST_TIMED_OUT);
  BOOST_TEST(timed->low_watermark == no_offset);
  f.follower_fetch(2, 10, 30, 4, 4);
  BOOST_TEST(!shrunk.has_value());
  // Follower 3 leaves the ISR: it holds the deletion no more.
  auto smaller = info(1, 4, {1, 2});
  smaller.set_partition_epoch(1);
  f.p->set_partition_info(smaller, node_id{1}, 40);
  BOOST_REQUIRE(shrunk.has_value());
  BOOST_TEST(shrunk->error == pv1::PARTITION_OK);
  BOOST_TEST(shrunk->low_watermark == offset{4});

  std::optional<answer> demoted;
  BOOST_REQUIRE(f.p->delete_records(offset{8}).error == pv1::PARTITION_OK);
  f.p->await_low_watermark(offset{8}, 5000, [&](pv1::PartitionError e, offset l) { demoted = answer{e, l}; });
  f.p->set_partition_info(info(2, 5, {2, 3}), node_id{1}, 50);
  BOOST_REQUIRE(demoted.has_value());
  BOOST_TEST(demoted->error == pv1::NOT_LEADER);
  BOOST_TEST(f.p->delete_records(offset{9}).error == pv1::NOT_LEADER);
}

BOOST_AUTO_TEST_CASE(a_follower_follows_the_leaders_log_start_up_to_its_high_watermark) {
  leader_fixture f;
  f.p->set_partition_info(info(2, 4, {1, 2, 3}), node_id{1}, 0);  // node 1 follows node 2
  BOOST_REQUIRE(!f.p->is_leader());
  auto b = records(10);
  BOOST_REQUIRE(f.p->apply_fetched(b, offset{7}, offset{0}, 10) == pv1::PARTITION_OK);
  BOOST_TEST(f.p->position().log_start_offset == offset{0});
  BOOST_REQUIRE(f.p->apply_fetched({}, offset{7}, offset{9}, 20) == pv1::PARTITION_OK);
  BOOST_TEST(f.p->log_start_offset() == offset{7});  // not past our HW yet
  BOOST_REQUIRE(f.p->apply_fetched({}, offset{10}, offset{9}, 30) == pv1::PARTITION_OK);
  BOOST_TEST(f.p->log_start_offset() == offset{9});
  BOOST_TEST(f.p->position().log_start_offset == offset{9});  // reported in its next fetch
  BOOST_REQUIRE(f.p->apply_fetched({}, offset{10}, offset{2}, 40) == pv1::PARTITION_OK);
  BOOST_TEST(f.p->log_start_offset() == offset{9});  // never back
}

BOOST_AUTO_TEST_SUITE_END()
