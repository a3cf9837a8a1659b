#include <boost/test/unit_test.hpp>

#include <set>

#include "common/cluster/group_shards.h"
#include "services/gateway/handlers/coordinator_lookup.h"
#include "services/gateway/broker_map.h"
#include "services/gateway/txn_routing.h"

using namespace sluice;
using namespace sluice::gateway;
using protocol::error_code;

namespace {

// Gateways 1 and 2 (ports 9001, 9002), partition servers 20, 21 and 22
// (brokers at gw1:9001, gw2:9002 and gw1:9101); group coordinators 10 and 11
// own the 50 shards alternately, except `unowned_shard` (owner -1) when set.
cluster::mv1::ClusterSnapshot snapshot(std::int32_t unowned_shard = -1, bool gateways = true) {
  cluster::mv1::ClusterSnapshot s;
  s.set_version(1);
  if (gateways) {
    for (int id : {1, 2}) {
      auto* g = s.add_services();
      g->set_kind(cluster::mv1::GATEWAY);
      g->set_node_id(id);
      g->set_kafka_host("gw" + std::to_string(id));
      g->set_kafka_port(9000 + id);
    }
  }
  for (int id : {20, 21, 22}) {
    auto* ps = s.add_services();
    ps->set_kind(cluster::mv1::PARTITION_SERVER);
    ps->set_node_id(id);
  }
  for (int id : {10, 11}) {
    auto* gc = s.add_services();
    gc->set_kind(cluster::mv1::GROUP_COORDINATOR);
    gc->set_node_id(id);
  }
  for (int p = 0; p < cluster::default_offsets_partitions; ++p) {
    auto* shard = s.mutable_group_shards()->add_shards();
    shard->set_partition(p);
    shard->set_owner(p == unowned_shard ? -1 : 10 + p % 2);
    shard->set_epoch(1);
  }
  return s;
}

std::int32_t owner_of_shard(std::int32_t p) { return 10 + p % 2; }

constexpr int step = 100;
// Where broker 20, 21 or 22 is advertised (see snapshot()).
std::string host_of(std::int32_t broker) { return broker == 21 ? "gw2" : "gw1"; }
std::int32_t port_of(std::int32_t broker) { return broker == 20 ? 9001 : broker == 21 ? 9002 : 9101; }

}  // namespace

BOOST_AUTO_TEST_SUITE(txn_routing)

BOOST_AUTO_TEST_CASE(a_transactional_id_lives_where_kafka_puts_it) {
  // Utils.abs("my-txn".hashCode()) % 50: "my-txn".hashCode() = -1061187895.
  BOOST_TEST(cluster::transaction_partition_for("my-txn") == 45);
  BOOST_TEST(cluster::transaction_partition_for("") == 0);
  cluster::metadata_view view(snapshot());
  for (const char* id : {"my-txn", "orders-1", "", "tx"})
    BOOST_TEST(transaction_owner(view, id) == owner_of_shard(cluster::transaction_partition_for(id)));
}

BOOST_AUTO_TEST_CASE(the_transaction_coordinator_is_the_same_broker_everywhere) {
  cluster::metadata_view view(snapshot());
  std::set<std::int32_t> named;
  for (const char* id : {"my-txn", "orders-1", "tx", "a", "b", "c", "d", "e", "f"}) {
    auto answer = find_coordinator_for(view, transaction_key_type, id, step);
    BOOST_TEST((answer.error == error_code::none));
    const auto expected = coordinator_broker(view, "__transaction_state", cluster::transaction_partition_for(id));
    BOOST_TEST(answer.node_id == expected);
    BOOST_TEST(answer.node_id == transaction_broker(view, id));
    BOOST_TEST(answer.host == host_of(expected));
    BOOST_TEST(answer.port == port_of(expected));
    named.insert(answer.node_id);
  }
  BOOST_TEST(named.size() > 1u);  // spread over the brokers
  for (auto id : named) BOOST_TEST((id >= 20 && id <= 22));
}

BOOST_AUTO_TEST_CASE(no_owner_of_the_shard_is_coordinator_not_available) {
  cluster::metadata_view view(snapshot(cluster::transaction_partition_for("my-txn")));
  auto answer = find_coordinator_for(view, transaction_key_type, "my-txn", step);
  BOOST_TEST((answer.error == error_code::coordinator_not_available));
  BOOST_TEST(answer.node_id == -1);
  BOOST_TEST((find_coordinator_for(view, transaction_key_type, "tx", step).error == error_code::none));

  cluster::metadata_view no_gateway(snapshot(-1, false));
  BOOST_TEST((find_coordinator_for(no_gateway, transaction_key_type, "tx", step).error ==
              error_code::coordinator_not_available));
}

BOOST_AUTO_TEST_CASE(groups_are_answered_as_before_and_other_key_types_refused) {
  cluster::metadata_view view(snapshot());
  auto answer = find_coordinator_for(view, group_key_type, "g1", step);
  BOOST_TEST((answer.error == error_code::none));
  BOOST_TEST(answer.node_id == coordinator_broker(view, cluster::offsets_topic, cluster::offsets_partition_for("g1")));
  BOOST_TEST(answer.node_id == group_broker(view, "g1"));
  BOOST_TEST(answer.host == host_of(answer.node_id));
  BOOST_TEST(answer.port == port_of(answer.node_id));
  for (std::int8_t type : {2, 3, -1}) {
    auto refused = find_coordinator_for(view, type, "g1", step);
    BOOST_TEST((refused.error == error_code::invalid_request));
    BOOST_TEST(refused.node_id == -1);
  }
}

BOOST_AUTO_TEST_CASE(ids_are_split_by_owner_in_order) {
  std::int32_t dead = cluster::transaction_partition_for("c");
  cluster::metadata_view view(snapshot(dead));
  std::vector<std::string> ids{"a", "b", "c", "d", "e", "f", "a2"};
  fan_out_plan plan;
  route_transactional_ids(view, ids, plan);
  std::size_t routed = plan.unowned.size();
  BOOST_TEST(plan.unowned == std::vector<std::string>{"c"});
  for (const auto& [node, keys] : plan.targets) {
    routed += keys.size();
    std::vector<std::string> expected;
    for (const auto& id : ids)
      if (id != "c" && owner_of_shard(cluster::transaction_partition_for(id)) == node) expected.push_back(id);
    BOOST_TEST(keys == expected);
  }
  BOOST_TEST(routed == ids.size());
}

BOOST_AUTO_TEST_SUITE_END()
