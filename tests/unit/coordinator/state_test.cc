#include <boost/test/unit_test.hpp>

#include <map>
#include <set>

#include "common/cluster/metadata_view.h"
#include "tests/unit/coordinator/state_fixture.h"

using namespace sluice::coordinator;
using namespace std::chrono_literals;

namespace {

/// state_fixture plus CreateTopics with partition counts.
struct topics_fixture : test::state_fixture {
  cv1::TopicResult create(const std::string& name, int partitions, int rf,
                          std::map<std::string, std::string> configs = {}, bool validate_only = false) {
    cv1::CreateTopicsRequest req;
    auto* t = req.add_topics();
    t->set_name(name);
    t->set_partitions(partitions);
    t->set_replication_factor(rf);
    for (auto& [k, v] : configs) (*t->mutable_configs())[k] = v;
    req.set_validate_only(validate_only);
    auto resp = st->create_topics(req);
    BOOST_REQUIRE(resp.results_size() == 1);
    return resp.results(0);
  }
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(state, topics_fixture)

BOOST_AUTO_TEST_CASE(node_ids_come_from_a_counter_or_the_request) {
  auto a = reg(mv1::PARTITION_SERVER);
  auto b = reg(mv1::GATEWAY);
  BOOST_TEST(a.error() == cv1::COORDINATOR_OK);
  BOOST_TEST(a.node_id() == 1);
  BOOST_TEST(b.node_id() == 2);
  BOOST_TEST(a.lease_ttl_ms() == 1000);
  BOOST_TEST(a.publish_url() == "tcp://127.0.0.1:1");
  auto c = reg(mv1::PARTITION_SERVER, 10);
  BOOST_TEST(c.node_id() == 10);
  auto d = reg(mv1::GROUP_COORDINATOR);
  BOOST_TEST(d.node_id() == 11);  // the counter moved past the requested id
  // A live node id of another kind is not handed over.
  BOOST_TEST(reg(mv1::GATEWAY, 10).error() == cv1::INVALID_REQUEST);
  BOOST_TEST(reg(mv1::SERVICE_KIND_UNSPECIFIED).error() == cv1::INVALID_REQUEST);
}

BOOST_AUTO_TEST_CASE(reregistration_fences_the_old_epoch) {
  auto first = reg(mv1::PARTITION_SERVER);
  auto second = reg(mv1::PARTITION_SERVER, first.node_id());
  BOOST_TEST(second.node_id() == first.node_id());
  BOOST_TEST(second.registration_epoch() > first.registration_epoch());
  BOOST_TEST(beat(first) == cv1::STALE_EPOCH);
  BOOST_TEST(beat(second) == cv1::COORDINATOR_OK);
  BOOST_TEST(beat(99, 1) == cv1::LEASE_EXPIRED);
}

BOOST_AUTO_TEST_CASE(a_gateway_at_a_registered_gateways_address_replaces_it) {
  auto gateway = [&](const std::string& host, int port) {
    cv1::RegisterRequest req;
    req.set_kind(mv1::GATEWAY);
    req.set_requested_node_id(-1);
    req.set_kafka_host(host);
    req.set_kafka_port(port);
    return st->register_service(req, now);
  };
  auto old = gateway("127.0.0.1", 9092);
  auto other = gateway("127.0.0.1", 9093);
  auto restarted = gateway("127.0.0.1", 9092);  // a new node id, the old one's address
  const auto snap = st->snapshot();
  std::set<int> live;
  for (const auto& s : snap.services()) live.insert(s.node_id());
  BOOST_TEST(live == (std::set<int>{other.node_id(), restarted.node_id()}));
  BOOST_TEST(beat(old) == cv1::LEASE_EXPIRED);
  BOOST_TEST(beat(restarted) == cv1::COORDINATOR_OK);
}

BOOST_AUTO_TEST_CASE(heartbeats_keep_the_lease_and_report_the_version) {
  auto r = reg(mv1::GATEWAY);
  for (int i = 0; i < 10; ++i) {
    now += 600ms;  // more than the TTL in total, each gap less than it
    cv1::HeartbeatRequest req;
    req.set_node_id(r.node_id());
    req.set_registration_epoch(r.registration_epoch());
    auto resp = st->heartbeat(req, now);
    BOOST_TEST(resp.error() == cv1::COORDINATOR_OK);
    BOOST_TEST(resp.metadata_version() == st->version());
  }
  BOOST_TEST(st->expire_leases(now) == 0u);
  BOOST_TEST(st->snapshot().services_size() == 1);
}

BOOST_AUTO_TEST_CASE(expired_partition_server_loses_leadership_and_gets_it_back) {
  auto ps = reg(mv1::PARTITION_SERVER);
  auto gw = reg(mv1::GATEWAY);
  BOOST_REQUIRE(create("t", 2, 1).error() == cv1::COORDINATOR_OK);
  auto tp1 = topic("t");
  for (const auto& p : tp1.partitions()) {
    BOOST_TEST(p.leader() == ps.node_id());
    BOOST_TEST(p.leader_epoch() == 0);
  }
  // The gateway keeps heartbeating; the partition server goes silent.
  now += 600ms;
  BOOST_TEST(beat(gw) == cv1::COORDINATOR_OK);
  now += 600ms;
  BOOST_TEST(st->expire_leases(now) == 1u);
  auto snap = st->snapshot();
  BOOST_TEST(snap.services_size() == 1);
  BOOST_TEST(snap.services(0).node_id() == gw.node_id());
  auto tp2 = topic("t");
  for (const auto& p : tp2.partitions()) {
    BOOST_TEST(p.leader() == -1);
    BOOST_TEST(p.leader_epoch() == 1);
    BOOST_TEST(p.isr_size() == 1);  // the last ISR member stays recorded
  }
  BOOST_TEST(deltas.back().removed_services_size() == 1);
  BOOST_TEST(deltas.back().upserted_topics_size() == 1);
  BOOST_TEST(beat(ps) == cv1::LEASE_EXPIRED);

  auto back = reg(mv1::PARTITION_SERVER, ps.node_id());
  BOOST_TEST(back.error() == cv1::COORDINATOR_OK);
  BOOST_TEST(back.registration_epoch() > ps.registration_epoch());
  auto tp3 = topic("t");
  for (const auto& p : tp3.partitions()) {
    BOOST_TEST(p.leader() == ps.node_id());
    BOOST_TEST(p.leader_epoch() == 2);
  }
}

BOOST_AUTO_TEST_CASE(replicated_partition_fails_over_to_a_live_isr_member) {
  auto a = reg(mv1::PARTITION_SERVER);
  auto b = reg(mv1::PARTITION_SERVER);
  auto c = reg(mv1::PARTITION_SERVER);
  BOOST_REQUIRE(create("r", 3, 3).error() == cv1::COORDINATOR_OK);
  auto before = topic("r");
  now += 600ms;
  beat(b);
  beat(c);
  now += 600ms;
  BOOST_TEST(st->expire_leases(now) == 1u);  // a
  auto after = topic("r");
  for (int i = 0; i < 3; ++i) {
    const auto& p0 = before.partitions(i);
    const auto& p1 = after.partitions(i);
    BOOST_TEST(p1.leader() != a.node_id());
    BOOST_TEST(p1.leader() != -1);
    BOOST_TEST(p1.isr_size() == 2);
    if (p0.leader() == a.node_id()) {
      BOOST_TEST(p1.leader_epoch() == p0.leader_epoch() + 1);
    } else {
      BOOST_TEST(p1.leader() == p0.leader());
      BOOST_TEST(p1.leader_epoch() == p0.leader_epoch());
    }
    BOOST_TEST(p1.partition_epoch() == p0.partition_epoch() + 1);
  }
}

BOOST_AUTO_TEST_CASE(topic_creation_validates_like_kafka) {
  reg(mv1::PARTITION_SERVER);
  BOOST_TEST(create("bad name", 1, 1).error() == cv1::INVALID_TOPIC);
  BOOST_TEST(create("..", 1, 1).error() == cv1::INVALID_TOPIC);
  BOOST_TEST(create("zero", 0, 1).error() == cv1::INVALID_PARTITIONS);
  BOOST_TEST(create("rf", 1, 2).error() == cv1::INVALID_REPLICATION_FACTOR);
  auto bad_cfg = create("cfg", 1, 1, {{"cleanup.policy", "never"}});
  BOOST_TEST(bad_cfg.error() == cv1::INVALID_CONFIG);
  BOOST_TEST(bad_cfg.error_message().find("cleanup.policy") != std::string::npos);
  BOOST_TEST(create("a.b", 1, 1).error() == cv1::COORDINATOR_OK);
  BOOST_TEST(create("a.b", 1, 1).error() == cv1::TOPIC_ALREADY_EXISTS);
  BOOST_TEST(create("a_b", 1, 1).error() == cv1::INVALID_TOPIC);  // collides with a.b

  // -1 takes the broker defaults.
  auto d = create("defaults", -1, -1);
  BOOST_TEST(d.error() == cv1::COORDINATOR_OK);
  BOOST_TEST(d.topic().partitions_size() == 1);
  BOOST_TEST(d.topic().partitions(0).replicas_size() == 1);

  // validate_only answers but changes nothing.
  auto version = st->version();
  auto v = create("dry", 3, 1, {{"retention.ms", "1000"}}, true);
  BOOST_TEST(v.error() == cv1::COORDINATOR_OK);
  BOOST_TEST(v.topic().partitions_size() == 3);
  BOOST_TEST(st->version() == version);
  BOOST_TEST(st->snapshot().topics_size() == 2);
}

BOOST_AUTO_TEST_CASE(duplicate_names_in_one_request_are_refused) {
  reg(mv1::PARTITION_SERVER);
  cv1::CreateTopicsRequest req;
  for (int i = 0; i < 2; ++i) {
    auto* t = req.add_topics();
    t->set_name("dup");
    t->set_partitions(1);
    t->set_replication_factor(1);
  }
  auto* ok = req.add_topics();
  ok->set_name("fine");
  ok->set_partitions(1);
  ok->set_replication_factor(1);
  auto resp = st->create_topics(req);
  BOOST_TEST(resp.results(0).error() == cv1::INVALID_REQUEST);
  BOOST_TEST(resp.results(1).error() == cv1::INVALID_REQUEST);
  BOOST_TEST(resp.results(2).error() == cv1::COORDINATOR_OK);
}

BOOST_AUTO_TEST_CASE(partitions_are_spread_round_robin_over_live_servers) {
  std::set<int> servers;
  for (int i = 0; i < 3; ++i) servers.insert(reg(mv1::PARTITION_SERVER).node_id());
  reg(mv1::GATEWAY);  // never gets replicas
  auto r = create("spread", 6, 1);
  BOOST_REQUIRE(r.error() == cv1::COORDINATOR_OK);
  std::map<int, int> leaders;
  for (const auto& p : r.topic().partitions()) {
    BOOST_TEST(servers.count(p.leader()) == 1u);
    BOOST_TEST(p.replicas(0) == p.leader());
    BOOST_TEST(p.isr_size() == 1);
    ++leaders[p.leader()];
  }
  for (int s : servers) BOOST_TEST(leaders[s] == 2);
  auto ids = std::set<std::string>{r.topic().topic_id(), create("other", 1, 1).topic().topic_id()};
  BOOST_TEST(ids.size() == 2u);
}

BOOST_AUTO_TEST_CASE(delete_create_partitions_and_alter_configs) {
  reg(mv1::PARTITION_SERVER);
  BOOST_REQUIRE(create("t", 2, 1, {{"retention.ms", "5000"}}).error() == cv1::COORDINATOR_OK);

  cv1::CreatePartitionsRequest cp;
  auto* u = cp.add_topics();
  u->set_name("t");
  u->set_count(1);
  BOOST_TEST(st->create_partitions(cp).results(0).error() == cv1::INVALID_PARTITIONS);
  u->set_count(2);
  BOOST_TEST(st->create_partitions(cp).results(0).error() == cv1::INVALID_PARTITIONS);
  u->set_count(5);
  auto grown = st->create_partitions(cp).results(0);
  BOOST_TEST(grown.error() == cv1::COORDINATOR_OK);
  BOOST_TEST(topic("t").partitions_size() == 5);
  BOOST_TEST(topic("t").partitions(4).partition() == 4);
  u->set_name("missing");
  BOOST_TEST(st->create_partitions(cp).results(0).error() == cv1::UNKNOWN_TOPIC);

  cv1::AlterTopicConfigsRequest alter;
  alter.set_name("t");
  auto* set = alter.add_changes();
  set->set_key("segment.bytes");
  set->set_value("1048576");
  BOOST_TEST(st->alter_topic_configs(alter).result().error() == cv1::COORDINATOR_OK);
  BOOST_TEST(topic("t").configs().size() == 2u);  // incremental: retention.ms kept
  alter.clear_changes();
  auto* del = alter.add_changes();
  del->set_key("retention.ms");
  del->set_op(cv1::ConfigChange::DELETE);
  BOOST_TEST(st->alter_topic_configs(alter).result().error() == cv1::COORDINATOR_OK);
  BOOST_TEST(topic("t").configs().size() == 1u);
  BOOST_TEST(topic("t").configs().at("segment.bytes") == "1048576");
  alter.clear_changes();
  auto* bad = alter.add_changes();
  bad->set_key("max.message.bytes");
  bad->set_value("lots");
  BOOST_TEST(st->alter_topic_configs(alter).result().error() == cv1::INVALID_CONFIG);
  alter.clear_changes();
  auto* only = alter.add_changes();
  only->set_key("cleanup.policy");
  only->set_value("compact");
  alter.set_replace_all(true);
  BOOST_TEST(st->alter_topic_configs(alter).result().error() == cv1::COORDINATOR_OK);
  BOOST_TEST(topic("t").configs().size() == 1u);
  BOOST_TEST(topic("t").configs().at("cleanup.policy") == "compact");

  cv1::DeleteTopicsRequest dt;
  dt.add_names("t");
  dt.add_names("nope");
  auto resp = st->delete_topics(dt);
  BOOST_TEST(resp.results(0).error() == cv1::COORDINATOR_OK);
  BOOST_TEST(resp.results(1).error() == cv1::UNKNOWN_TOPIC);
  BOOST_TEST(st->snapshot().topics_size() == 0);
  BOOST_TEST(deltas.back().deleted_topics(0) == "t");
}

BOOST_AUTO_TEST_CASE(deltas_are_contiguous_and_rebuild_the_snapshot) {
  // Start from the (empty) snapshot, apply every delta as a subscriber
  // would, and compare with the coordinator's own snapshot at the end.
  auto view = std::make_shared<const sluice::cluster::metadata_view>(st->snapshot());
  auto ps = reg(mv1::PARTITION_SERVER);
  auto gw = reg(mv1::GATEWAY);
  create("x", 3, 1);
  create("y", 1, 1, {{"retention.ms", "1"}});
  cv1::DeleteTopicsRequest dt;
  dt.add_names("y");
  st->delete_topics(dt);
  now += 600ms;
  beat(gw);
  now += 600ms;
  st->expire_leases(now);  // ps goes away
  reg(mv1::PARTITION_SERVER, ps.node_id());

  BOOST_REQUIRE(!deltas.empty());
  std::uint64_t expect = view->version() + 1;
  for (const auto& d : deltas) {
    BOOST_TEST(d.version() == expect);
    ++expect;
    view = view->apply(d);
  }
  BOOST_TEST(view->version() == st->version());
  auto snap = st->snapshot();
  BOOST_TEST(view->snapshot().topics_size() == snap.topics_size());
  BOOST_TEST(view->snapshot().services_size() == snap.services_size());
  for (const auto& t : snap.topics()) {
    auto* mine = view->topic(t.name());
    BOOST_REQUIRE(mine);
    BOOST_TEST(mine->SerializeAsString() == t.SerializeAsString());
    BOOST_TEST(view->topic_by_id(t.topic_id()) == mine);
  }
  BOOST_TEST(view->gateways().size() == 1u);
  BOOST_TEST(view->service(ps.node_id()) != nullptr);
}

BOOST_AUTO_TEST_CASE(state_survives_restart_and_known_services_get_a_grace_ttl) {
  auto ps = reg(mv1::PARTITION_SERVER);
  auto r = create("keep", 4, 1, {{"retention.ms", "60000"}});
  BOOST_REQUIRE(r.error() == cv1::COORDINATOR_OK);
  auto version = st->version();
  auto cluster = st->cluster_id();
  auto ctl = st->controller_epoch();
  now += 900ms;  // close to the end of the old lease
  reopen();
  BOOST_TEST(st->version() == version);
  BOOST_TEST(st->cluster_id() == cluster);
  BOOST_TEST(st->controller_epoch() == ctl + 1);
  auto t = topic("keep");
  BOOST_TEST(t.topic_id() == r.topic().topic_id());
  BOOST_TEST(t.partitions_size() == 4);
  BOOST_TEST(t.configs().at("retention.ms") == "60000");
  // The lease restarted with the coordinator: the old epoch is still good.
  now += 500ms;
  BOOST_TEST(beat(ps) == cv1::COORDINATOR_OK);
  // Ids keep coming from the stored counter.
  BOOST_TEST(reg(mv1::GATEWAY).node_id() == ps.node_id() + 1);
}

BOOST_AUTO_TEST_CASE(unknown_services_after_restart_expire_after_the_grace_ttl) {
  reg(mv1::PARTITION_SERVER);
  create("t", 1, 1);
  reopen();
  now += 1001ms;
  BOOST_TEST(st->expire_leases(now) == 1u);
  BOOST_TEST(topic("t").partitions(0).leader() == -1);
}

BOOST_AUTO_TEST_SUITE_END()
