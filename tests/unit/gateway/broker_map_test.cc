#include <boost/test/unit_test.hpp>

#include <map>
#include <set>

#include "services/gateway/broker_map.h"
#include "services/gateway/handlers/coordinator_lookup.h"

using namespace sluice;

namespace {

constexpr int step = 100;

// Gateway n listens on gw<n>:9000+n; partition servers `servers`; one group
// coordinator (node 99) owning every shard.
cluster::metadata_view cluster_of(std::initializer_list<int> gateways, std::initializer_list<int> servers) {
  cluster::mv1::ClusterSnapshot snapshot;
  snapshot.set_version(1);
  for (int id : gateways) {
    auto* s = snapshot.add_services();
    s->set_kind(cluster::mv1::GATEWAY);
    s->set_node_id(id);
    s->set_kafka_host("gw" + std::to_string(id));
    s->set_kafka_port(9000 + id);
  }
  for (int id : servers) {
    auto* s = snapshot.add_services();
    s->set_kind(cluster::mv1::PARTITION_SERVER);
    s->set_node_id(id);
  }
  auto* gc = snapshot.add_services();
  gc->set_kind(cluster::mv1::GROUP_COORDINATOR);
  gc->set_node_id(99);
  for (int p = 0; p < 50; ++p) {
    auto* shard = snapshot.mutable_group_shards()->add_shards();
    shard->set_partition(p);
    shard->set_owner(99);
    shard->set_epoch(1);
  }
  return cluster::metadata_view(snapshot);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(broker_map)

BOOST_AUTO_TEST_CASE(partition_servers_are_the_brokers_spread_over_the_gateways) {
  // Three partition servers, one gateway: one port each, slot by slot.
  auto one = cluster_of({1}, {30, 10, 20});
  auto brokers = gateway::advertised_brokers(one, step);
  BOOST_TEST_REQUIRE(brokers.size() == 3u);
  std::vector<std::int32_t> ids, ports;
  for (const auto& b : brokers) {
    ids.push_back(b.node_id);
    ports.push_back(b.port);
    BOOST_TEST(b.host == "gw1");
    BOOST_TEST(b.gateway == 1);
  }
  BOOST_TEST(ids == (std::vector<std::int32_t>{10, 20, 30}));
  BOOST_TEST(ports == (std::vector<std::int32_t>{9001, 9101, 9201}));
  BOOST_TEST(gateway::slots_of_gateway(one, 1) == 3);

  // Five partition servers, two gateways: 3 + 2, every address distinct.
  auto two = cluster_of({2, 1}, {11, 12, 13, 14, 15});
  std::map<std::int32_t, int> per_gateway;
  std::set<std::pair<std::string, std::int32_t>> addresses;
  for (const auto& b : gateway::advertised_brokers(two, step)) {
    ++per_gateway[b.gateway];
    addresses.insert({b.host, b.port});
    auto same = gateway::broker_address_of(two, b.node_id, step);
    BOOST_TEST_REQUIRE(same.has_value());
    BOOST_TEST(same->port == b.port);
    BOOST_TEST(same->host == b.host);
    BOOST_TEST(gateway::broker_at_port(two, b.gateway, 9000 + b.gateway, b.port, step) == b.node_id);
  }
  BOOST_TEST(addresses.size() == 5u);
  BOOST_TEST(per_gateway[1] == 3);
  BOOST_TEST(per_gateway[2] == 2);
  BOOST_TEST(gateway::slots_of_gateway(two, 1) == 3);
  BOOST_TEST(gateway::slots_of_gateway(two, 2) == 2);
  BOOST_TEST(gateway::slots_of_gateway(two, 7) == 0);
}

BOOST_AUTO_TEST_CASE(more_gateways_than_partition_servers_leave_some_bootstrap_only) {
  auto view = cluster_of({1, 2, 3}, {10});
  auto brokers = gateway::advertised_brokers(view, step);
  BOOST_TEST_REQUIRE(brokers.size() == 1u);
  BOOST_TEST(brokers[0].port == 9001);
  BOOST_TEST(gateway::slots_of_gateway(view, 2) == 0);
  BOOST_TEST(gateway::broker_at_port(view, 2, 9002, 9002, step) == -1);
  BOOST_TEST(gateway::broker_at_port(view, 1, 9001, 9001, step) == 10);
  BOOST_TEST(gateway::broker_at_port(view, 1, 9001, 9101, step) == -1);  // no second id
  BOOST_TEST(gateway::broker_at_port(view, 1, 9001, 9050, step) == -1);  // no slot's port
  BOOST_TEST(!gateway::broker_address_of(view, 11, step).has_value());
}

BOOST_AUTO_TEST_CASE(no_broker_without_a_partition_server_or_a_gateway) {
  for (const auto& view : {cluster_of({1}, {}), cluster_of({}, {10})}) {
    BOOST_TEST(gateway::advertised_brokers(view, step).empty());
    BOOST_TEST(gateway::coordinator_broker(view, "__consumer_offsets", 3) == -1);
    BOOST_TEST(gateway::controller_broker(view) == -1);
    auto answer = gateway::find_coordinator_for(view, gateway::group_key_type, "g", step);
    BOOST_TEST((answer.error == protocol::error_code::coordinator_not_available));
  }
}

BOOST_AUTO_TEST_CASE(coordinators_are_brokers_the_same_on_every_gateway_and_spread) {
  auto a = cluster_of({1, 2}, {10, 20, 30});
  auto b = cluster_of({2, 1}, {30, 20, 10});
  std::map<std::int32_t, int> count;
  for (int p = 0; p < 30; ++p) {
    auto broker = gateway::coordinator_broker(a, "__consumer_offsets", p);
    BOOST_TEST(broker == gateway::coordinator_broker(b, "__consumer_offsets", p));
    ++count[broker];
  }
  BOOST_TEST(count.size() == 3u);
  for (auto [id, n] : count) BOOST_TEST(n == 10);
  BOOST_TEST(gateway::controller_broker(a) == 10);
}

BOOST_AUTO_TEST_SUITE_END()
