#include <boost/test/unit_test.hpp>

#include "services/gateway/handlers/partition_metadata.h"

using namespace sluice;
using gateway::dead_replicas;
using protocol::error_code;
using ids = std::vector<std::int32_t>;

namespace {

// Live partition servers 1 and 2 (3 is gone), gateway 9.
cluster::metadata_view live_1_and_2() {
  cluster::mv1::ClusterSnapshot snapshot;
  snapshot.set_version(1);
  for (int id : {1, 2}) {
    auto* s = snapshot.add_services();
    s->set_kind(cluster::mv1::PARTITION_SERVER);
    s->set_node_id(id);
  }
  auto* g = snapshot.add_services();
  g->set_kind(cluster::mv1::GATEWAY);
  g->set_node_id(9);
  return cluster::metadata_view(snapshot);
}

cluster::mv1::PartitionInfo partition(std::int32_t leader, ids replicas, ids isr) {
  cluster::mv1::PartitionInfo p;
  p.set_leader(leader);
  p.set_leader_epoch(7);
  for (auto r : replicas) p.add_replicas(r);
  for (auto r : isr) p.add_isr(r);
  return p;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(partition_metadata)

BOOST_AUTO_TEST_CASE(replicas_isr_and_leader_as_the_coordinator_holds_them) {
  auto view = live_1_and_2();
  auto d = gateway::describe_partition(view, partition(2, {2, 1}, {2, 1}));
  BOOST_TEST((d.error == error_code::none));
  BOOST_TEST(d.leader == 2);
  BOOST_TEST(d.leader_epoch == 7);
  BOOST_TEST(d.replicas == (ids{2, 1}));
  BOOST_TEST(d.isr == (ids{2, 1}));
  BOOST_TEST(d.offline.empty());
}

BOOST_AUTO_TEST_CASE(a_dead_replica_is_offline_and_still_listed_from_v1) {
  auto view = live_1_and_2();
  auto d = gateway::describe_partition(view, partition(1, {1, 3, 2}, {1, 2}));
  BOOST_TEST((d.error == error_code::none));
  BOOST_TEST(d.replicas == (ids{1, 3, 2}));
  BOOST_TEST(d.offline == (ids{3}));

  // v0 leaves it out and says so.
  auto v0 = gateway::describe_partition(view, partition(1, {1, 3, 2}, {1, 3}), dead_replicas::left_out);
  BOOST_TEST((v0.error == error_code::replica_not_available));
  BOOST_TEST(v0.replicas == (ids{1, 2}));
  BOOST_TEST(v0.isr == (ids{1}));
  BOOST_TEST(v0.leader == 1);
}

BOOST_AUTO_TEST_CASE(no_live_leader_is_leader_not_available) {
  auto view = live_1_and_2();
  for (std::int32_t leader : {-1, 3, 9}) {  // none, gone, not a partition server
    auto d = gateway::describe_partition(view, partition(leader, {3, 1}, {3}));
    BOOST_TEST((d.error == error_code::leader_not_available));
    BOOST_TEST(d.leader == -1);
    BOOST_TEST(d.leader_epoch == 7);
    BOOST_TEST(d.replicas == (ids{3, 1}));
    BOOST_TEST(d.isr == (ids{3}));
    BOOST_TEST(d.offline == (ids{3}));
  }
}

BOOST_AUTO_TEST_SUITE_END()
