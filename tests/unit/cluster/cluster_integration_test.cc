#define BOOST_TEST_MODULE cluster_integration
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <future>
#include <random>
#include <set>
#include <thread>

#include "common/cluster/cluster_client.h"
#include "common/cluster/coordinator_client.h"
#include "common/cluster/producer_id_pool.h"
#include "common/logging/logger.h"
#include "tests/unit/cluster/cluster_test_support.h"
#include "services/coordinator/coordinator_service.h"

using namespace sluice;
using namespace std::chrono_literals;
using cluster_test::eventually;
using cluster_test::quiet_logs;
namespace cv1 = sluice::coordinator::v1;

namespace {

coordinator::service_options options(const std::filesystem::path& dir, std::string listen = "tcp://127.0.0.1:0",
                                     std::string publish = "tcp://127.0.0.1:0") {
  coordinator::service_options o;
  o.data_dir = dir;
  o.listen_url = std::move(listen);
  o.publish_url = std::move(publish);
  o.coordinator.lease_ttl = 300ms;
  return o;
}

cluster::client_options client(const std::string& url, metadata::v1::ServiceKind kind) {
  cluster::client_options o;
  o.coordinator_url = url;
  o.kind = kind;
  o.rpc_url = "tcp://127.0.0.1:1";
  o.retry_interval = 50ms;
  o.rpc_timeout = 1000ms;
  if (kind == metadata::v1::GATEWAY) {
    o.kafka_host = "localhost";
    o.kafka_port = 9092;
  }
  return o;
}

cv1::CreateTopicsRequest create(const std::string& name, int partitions) {
  cv1::CreateTopicsRequest req;
  auto* t = req.add_topics();
  t->set_name(name);
  t->set_partitions(partitions);
  t->set_replication_factor(1);
  return req;
}

}  // namespace

BOOST_GLOBAL_FIXTURE(quiet_logs);

BOOST_AUTO_TEST_CASE(register_heartbeat_create_and_follow_metadata) {
  cluster_test::temp_dir dir{"sluice-it-"};
  auto svc = std::make_unique<coordinator::coordinator_service>(options(dir.path));
  const std::string url = svc->rpc_url();
  const std::string pub = svc->publish_url();

  cluster::cluster_client ps(client(url, metadata::v1::PARTITION_SERVER));
  cluster::cluster_client gw(client(url, metadata::v1::GATEWAY));
  std::atomic<std::uint64_t> last_seen{0};
  std::atomic<bool> in_order{true};
  gw.on_change([&](std::shared_ptr<const cluster::metadata_view> v) {
    if (v->version() < last_seen.load()) in_order = false;
    last_seen = v->version();
  });
  ps.start();
  BOOST_REQUIRE(ps.wait_ready(15s));  // the partition server first, so topics can be placed
  gw.start();
  BOOST_REQUIRE(gw.wait_ready(15s));
  BOOST_TEST(ps.node_id() >= 1);
  BOOST_TEST(gw.node_id() != ps.node_id());

  // Each client sees the other (deltas or snapshot).
  BOOST_TEST(eventually([&] { return gw.current()->service(ps.node_id()) != nullptr; }));
  BOOST_TEST(eventually([&] { return ps.current()->gateways().size() == 1u; }));
  BOOST_TEST(gw.current()->gateways()[0]->kafka_port() == 9092);

  // Admin RPCs, blocking and async; the result arrives as a delta.
  cluster::coordinator_client admin(url);
  auto r = admin.create_topics_sync(create("orders", 3));
  BOOST_REQUIRE(r);
  BOOST_REQUIRE(r.value().results(0).error() == cv1::COORDINATOR_OK);
  std::promise<result<cv1::CreateTopicsResponse>> done;
  admin.create_topics(create("orders", 3), [&](result<cv1::CreateTopicsResponse> res) { done.set_value(res); });
  auto again = done.get_future().get();
  BOOST_REQUIRE(again);
  BOOST_TEST(again.value().results(0).error() == cv1::TOPIC_ALREADY_EXISTS);
  BOOST_TEST(eventually([&] { return gw.current()->topic("orders") != nullptr; }));
  auto view = gw.current();
  BOOST_TEST(view->topic("orders")->partitions_size() == 3);
  BOOST_TEST(view->partition("orders", 0)->leader() == ps.node_id());
  BOOST_TEST(view->topic_by_id(r.value().results(0).topic().topic_id()) == view->topic("orders"));

  // Heartbeats keep both alive for many TTLs.
  std::this_thread::sleep_for(1s);
  BOOST_TEST(gw.current()->service(ps.node_id()) != nullptr);
  BOOST_TEST(gw.current()->service(gw.node_id()) != nullptr);

  // A stopped partition server's lease runs out; the gateway sees it go.
  ps.stop();
  BOOST_TEST(eventually([&] { return gw.current()->service(ps.node_id()) == nullptr; }));
  BOOST_TEST(eventually([&] { return gw.current()->partition("orders", 0)->leader() == -1; }));
  BOOST_TEST(gw.current()->partition("orders", 0)->leader_epoch() == 1);
  BOOST_TEST(in_order.load());

  // Coordinator restart on the same store and urls: the gateway keeps its
  // node id and its lease (grace TTL), and follows new changes.
  const auto gw_id = gw.node_id();
  const auto version = gw.current()->version();
  svc.reset();
  svc = std::make_unique<coordinator::coordinator_service>(options(dir.path, url, pub));
  cluster::cluster_client ps2(client(url, metadata::v1::PARTITION_SERVER));
  ps2.start();
  BOOST_REQUIRE(ps2.wait_ready(15s));
  auto r2 = admin.create_topics_sync(create("after-restart", 1));
  BOOST_REQUIRE(r2);
  BOOST_TEST(r2.value().results(0).error() == cv1::COORDINATOR_OK);
  BOOST_TEST(eventually([&] { return gw.current()->topic("after-restart") != nullptr; }));
  BOOST_TEST(gw.node_id() == gw_id);
  BOOST_TEST(gw.current()->version() > version);
  BOOST_TEST(gw.current()->topic("orders") != nullptr);
  BOOST_TEST(gw.current()->service(gw_id) != nullptr);
}

BOOST_AUTO_TEST_CASE(client_reregisters_with_a_coordinator_that_forgot_it) {
  cluster_test::temp_dir first{"sluice-it-"}, second{"sluice-it-"};
  auto svc = std::make_unique<coordinator::coordinator_service>(options(first.path));
  const std::string url = svc->rpc_url();
  const std::string pub = svc->publish_url();
  cluster::cluster_client gw(client(url, metadata::v1::GATEWAY));
  gw.start();
  BOOST_REQUIRE(gw.wait_ready(15s));
  const auto id = gw.node_id();
  const auto cluster_id = gw.current()->cluster_id();

  // A new, empty store: the heartbeat gets LEASE_EXPIRED and the client
  // registers again, asking for its old id; its view follows the new cluster.
  svc.reset();
  svc = std::make_unique<coordinator::coordinator_service>(options(second.path, url, pub));
  BOOST_TEST(eventually([&] { return gw.current()->cluster_id() != cluster_id; }));
  BOOST_TEST(gw.node_id() == id);
  BOOST_TEST(eventually([&] { return gw.current()->service(id) != nullptr; }));
}

BOOST_AUTO_TEST_CASE(admin_call_to_an_absent_coordinator_fails_cleanly) {
  cluster::coordinator_client admin("tcp://127.0.0.1:1", 300ms);
  auto r = admin.create_topics_sync(create("x", 1));
  BOOST_TEST(!r);
}

namespace {

/// The pool's next id; retried while the coordinator is away (a restart).
std::int64_t next_id(cluster::producer_id_pool& pool) {
  const auto deadline = std::chrono::steady_clock::now() + 15s;
  while (std::chrono::steady_clock::now() < deadline) {
    auto p = std::make_shared<std::promise<result<std::int64_t>>>();
    auto f = p->get_future();
    pool.next([p](result<std::int64_t> r) { p->set_value(std::move(r)); });
    if (f.wait_for(15s) != std::future_status::ready) break;
    if (auto r = f.get()) return r.value();
    std::this_thread::sleep_for(50ms);
  }
  BOOST_FAIL("no producer id");
  return -1;
}

}  // namespace

BOOST_AUTO_TEST_CASE(producer_id_pools_never_share_an_id_across_a_coordinator_restart) {
  cluster_test::temp_dir dir{"sluice-it-"};
  auto svc = std::make_unique<coordinator::coordinator_service>(options(dir.path));
  const std::string url = svc->rpc_url();
  const std::string pub = svc->publish_url();
  cluster::cluster_client gw(client(url, metadata::v1::GATEWAY));
  cluster::cluster_client gc(client(url, metadata::v1::GROUP_COORDINATOR));
  gw.start();
  gc.start();
  BOOST_REQUIRE(gw.wait_ready(15s));
  BOOST_REQUIRE(gc.wait_ready(15s));
  cluster::coordinator_client admin(url, 1000ms);

  // A registration the coordinator never granted gets no block.
  cv1::AllocateProducerIdsRequest stale;
  stale.set_node_id(gw.node_id());
  stale.set_registration_epoch(gw.registration_epoch() + 100);
  auto refused = admin.allocate_producer_ids_sync(stale);
  BOOST_REQUIRE(refused);
  BOOST_TEST(refused.value().error() == cv1::LEASE_EXPIRED);

  std::set<std::int64_t> ids;
  std::size_t taken = 0;
  auto take = [&](cluster::producer_id_pool& pool, int n) {
    for (int i = 0; i < n; ++i, ++taken) ids.insert(next_id(pool));
  };
  {
    cluster::producer_id_pool from_gw(admin, gw), from_gc(admin, gc);
    take(from_gw, 1500);  // two blocks
    take(from_gc, 10);
  }
  // The same store again: the counter carries on after the blocks above.
  svc.reset();
  svc = std::make_unique<coordinator::coordinator_service>(options(dir.path, url, pub));
  {
    cluster::producer_id_pool from_gw(admin, gw);
    take(from_gw, 1200);
  }
  BOOST_TEST(ids.size() == taken);
  BOOST_TEST(*ids.begin() == 0);
}

// Broker configs over the real sockets: a partition server's static flags
// come with its registration; a dynamic value set with method 14
// (AlterBrokerConfigs) reaches every service's view in a delta.
BOOST_AUTO_TEST_CASE(broker_configs_reach_every_view) {
  cluster_test::temp_dir dir{"sluice-it-"};
  coordinator::coordinator_service svc(options(dir.path));
  auto ps_options = client(svc.rpc_url(), metadata::v1::PARTITION_SERVER);
  ps_options.static_configs = {{"min.insync.replicas", "2"}};
  cluster::cluster_client ps(ps_options);
  cluster::cluster_client gw(client(svc.rpc_url(), metadata::v1::GATEWAY));
  ps.start();
  gw.start();
  BOOST_REQUIRE(ps.wait_ready(15s));
  BOOST_REQUIRE(gw.wait_ready(15s));
  const auto id = ps.node_id();
  BOOST_TEST(eventually([&] {
    auto layers = gw.current()->broker_layers(id);
    return layers.static_flags.count("min.insync.replicas") && layers.static_flags.at("min.insync.replicas") == "2";
  }));

  cluster::coordinator_client admin(svc.rpc_url());
  cv1::AlterBrokerConfigsRequest req;
  req.set_cluster_default(true);
  auto* change = req.add_changes();
  change->set_key("log.retention.ms");
  change->set_value("60000");
  std::promise<result<cv1::AlterBrokerConfigsResponse>> answered;
  admin.alter_broker_configs(req, [&](result<cv1::AlterBrokerConfigsResponse> r) { answered.set_value(std::move(r)); });
  auto r = answered.get_future().get();
  BOOST_REQUIRE(r);
  BOOST_TEST(r.value().error() == cv1::COORDINATOR_OK);
  for (auto* c : {&ps, &gw})
    BOOST_TEST(eventually([&] { return c->current()->broker_layers(id).cluster.count("log.retention.ms") == 1; }));
  BOOST_TEST(ps.current()->broker_layers(id).cluster.at("log.retention.ms") == "60000");
}
