#include <boost/test/unit_test.hpp>

#include <map>

#include "services/gateway/leader_choice.h"

using namespace sluice;

namespace {

cluster::metadata_view with_gateways(std::initializer_list<int> ids) {
  cluster::mv1::ClusterSnapshot snapshot;
  snapshot.set_version(1);
  for (int id : ids) {
    auto* s = snapshot.add_services();
    s->set_kind(cluster::mv1::GATEWAY);
    s->set_node_id(id);
  }
  auto* ps = snapshot.add_services();
  ps->set_kind(cluster::mv1::PARTITION_SERVER);
  ps->set_node_id(100);
  return cluster::metadata_view(snapshot);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(leader_choice)

BOOST_AUTO_TEST_CASE(no_gateway_means_no_leader) {
  auto view = with_gateways({});
  BOOST_TEST(gateway::leader_gateway(view, "t", 0) == -1);
}

BOOST_AUTO_TEST_CASE(same_answer_for_the_same_gateways_and_only_gateways) {
  auto a = with_gateways({3, 7, 9});
  auto b = with_gateways({9, 3, 7});
  for (int p = 0; p < 32; ++p) {
    auto leader = gateway::leader_gateway(a, "orders", p);
    BOOST_TEST(leader == gateway::leader_gateway(b, "orders", p));
    BOOST_TEST((leader == 3 || leader == 7 || leader == 9));
  }
}

BOOST_AUTO_TEST_CASE(partitions_spread_over_gateways) {
  auto view = with_gateways({1, 2, 3});
  std::map<int, int> count;
  for (int p = 0; p < 30; ++p) ++count[gateway::leader_gateway(view, "events", p)];
  BOOST_TEST(count.size() == 3u);
  for (auto [id, n] : count) BOOST_TEST(n == 10);
}

BOOST_AUTO_TEST_SUITE_END()
