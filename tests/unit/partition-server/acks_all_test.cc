// A leader with followers: acks=all waits for the high watermark, consumers
// stop at it, min.insync.replicas, demotion, and the follower's divergence
// answer — partition_state driven directly with explicit times.
#include <boost/test/unit_test.hpp>

#include <optional>
#include <vector>

#include "services/partition-server/partition_server.h"
#include "tests/unit/partition-server/replicated_leader.h"

using namespace sluice::partition_server;
using namespace sluice;  // offset, leader_epoch, node_id and their "none" values
using namespace sluice::partition_server::test;
namespace pv1 = sluice::partition::v1;
namespace mv1 = sluice::metadata::v1;

BOOST_AUTO_TEST_SUITE(acks_all)

BOOST_AUTO_TEST_CASE(answered_when_every_isr_member_has_the_write) {
  leader_fixture f;
  auto b = records(5);
  auto a = f.p->append(b, 10, -1);
  BOOST_REQUIRE(a.error == pv1::PARTITION_OK);
  std::optional<pv1::PartitionError> answer;
  f.p->await_commit(a.last_offset + 1, 5000, [&](pv1::PartitionError e) { answer = e; });
  BOOST_TEST(!answer.has_value());
  BOOST_TEST(f.consumer_fetch(0).bytes == 0u);  // not committed: consumers do not see it
  BOOST_TEST(f.p->list_offset(-1, no_leader_epoch).offset == offset{0});
  f.follower_fetch(2, 5, 20);
  BOOST_TEST(!answer.has_value());  // 3 has not fetched it yet
  f.follower_fetch(3, 5, 30);
  BOOST_REQUIRE(answer.has_value());
  BOOST_TEST(*answer == pv1::PARTITION_OK);
  BOOST_TEST(f.p->high_watermark() == offset{5});
  BOOST_TEST(f.consumer_fetch(0).bytes > 0u);
  BOOST_TEST(f.p->list_offset(-1, no_leader_epoch).offset == offset{5});
}

BOOST_AUTO_TEST_CASE(times_out_and_fails_on_demotion) {
  leader_fixture f;
  auto b1 = records(1);
  auto b2 = records(1);
  std::optional<pv1::PartitionError> first, second;
  f.p->await_commit(f.p->append(b1, 10, -1).last_offset + 1, 100, [&](pv1::PartitionError e) { first = e; });
  f.p->await_commit(f.p->append(b2, 10, -1).last_offset + 1, 900, [&](pv1::PartitionError e) { second = e; });
  BOOST_TEST(f.p->expire_commits(99) == 100);
  BOOST_TEST(f.p->expire_commits(100) == 900);
  BOOST_REQUIRE(first.has_value());
  BOOST_TEST(*first == pv1::REQUEST_TIMED_OUT);
  BOOST_TEST(!second.has_value());
  f.p->set_partition_info(info(2, 5, {2, 3}), node_id{1}, 200);  // node 2 leads now
  BOOST_REQUIRE(second.has_value());
  BOOST_TEST(*second == pv1::NOT_LEADER);
  BOOST_TEST(f.p->append(b1, 300, -1).error == pv1::NOT_LEADER);
}

BOOST_AUTO_TEST_CASE(min_insync_replicas_before_and_after_the_append) {
  leader_fixture f({1, 2, 3}, "3");
  auto b = records(2);
  auto a = f.p->append(b, 10, -1);
  BOOST_REQUIRE(a.error == pv1::PARTITION_OK);
  std::optional<pv1::PartitionError> answer;
  f.p->await_commit(a.last_offset + 1, 5000, [&](pv1::PartitionError e) { answer = e; });
  f.follower_fetch(2, 2, 20);
  f.p->set_partition_info([] { auto i = info(1, 4, {1, 2}); i.set_partition_epoch(1); return i; }(), node_id{1}, 30);
  BOOST_REQUIRE(answer.has_value());  // 3 left the ISR: the write is committed, but below min.insync
  BOOST_TEST(*answer == pv1::NOT_ENOUGH_REPLICAS_AFTER_APPEND);
  auto c = records(1);
  BOOST_TEST(f.p->append(c, 40, -1).error == pv1::NOT_ENOUGH_REPLICAS);
  BOOST_TEST(f.p->append(c, 40, 1).error == pv1::PARTITION_OK);  // acks=1 does not care
}

BOOST_AUTO_TEST_CASE(a_diverged_follower_is_told_where_to_truncate) {
  leader_fixture f;
  auto b = records(3);
  f.p->append(b, 10, -1);  // epoch 4 starts at 0 here
  // A follower that wrote offsets 0..9 at epoch 3 (an old leader) must
  // truncate: this log has no epoch 3, so epoch 3 "ends" where epoch 4 starts.
  auto r = f.follower_fetch(2, 10, 20, 3);
  BOOST_TEST(r.diverging_epoch == leader_epoch{3});
  BOOST_TEST(r.diverging_end_offset == offset{0});
  BOOST_TEST(r.bytes == 0u);
  // A follower in step gets data and no divergence.
  auto ok = f.follower_fetch(3, 0, 20, -1);
  BOOST_TEST(ok.diverging_epoch == no_leader_epoch);
  BOOST_TEST(ok.bytes > 0u);
}

BOOST_AUTO_TEST_CASE(isr_proposals_go_one_at_a_time) {
  leader_fixture f;
  f.p->set_replication({1000, 1});
  f.follower_fetch(2, 0, 500);
  f.follower_fetch(3, 0, 500);
  BOOST_TEST(!f.p->isr_proposal(900).has_value());
  f.follower_fetch(2, 0, 1600);
  auto change = f.p->isr_proposal(1600);  // 3 not caught up for longer than the lag time
  BOOST_REQUIRE(change.has_value());
  BOOST_TEST(change->new_isr_size() == 2);
  BOOST_TEST(change->leader_epoch() == 4);
  BOOST_TEST(!f.p->isr_proposal(1650).has_value());  // one in flight
  sluice::coordinator::v1::PartitionIsrResult r;
  r.set_error(sluice::coordinator::v1::COORDINATOR_OK);
  auto committed = info(1, 4, {1, 2});
  committed.set_partition_epoch(1);
  *r.mutable_partition_info() = committed;
  f.p->on_isr_result(r, node_id{1}, 1700);
  BOOST_TEST(f.p->partition_epoch() == sluice::partition_epoch{1});
  BOOST_TEST(!f.p->isr_proposal(1800).has_value());
}

// --min-insync-replicas is published with the registration only when it
// differs from Kafka's default (DescribeConfigs: STATIC_BROKER_CONFIG).
BOOST_AUTO_TEST_CASE(static_min_insync_is_published_when_not_kafkas_default) {
  server_options options;
  BOOST_TEST(static_broker_configs(options).empty());
  options.min_insync_replicas = 2;
  auto flags = static_broker_configs(options);
  BOOST_TEST(flags.size() == 1u);
  BOOST_TEST(flags.at("min.insync.replicas") == "2");
}

BOOST_AUTO_TEST_SUITE_END()
