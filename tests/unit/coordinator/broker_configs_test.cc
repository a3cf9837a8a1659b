// The coordinator's dynamic broker configs (method 14): validation, storage
// across restarts, what is published, and the static flags the services
// bring (partition servers at registration, the coordinator's own).
#include <boost/test/unit_test.hpp>

#include <map>
#include <string>

#include "tests/unit/coordinator/state_fixture.h"

using namespace sluice::coordinator;

namespace {

using config_map = std::map<std::string, std::string>;

struct broker_config_fixture : test::state_fixture {
  /// Sets (value) or deletes (nullopt) configs of the cluster default
  /// (broker -1) or one broker id.
  cv1::AlterBrokerConfigsResponse alter(int broker, std::map<std::string, std::optional<std::string>> changes,
                                        bool validate_only = false, bool replace_all = false) {
    cv1::AlterBrokerConfigsRequest req;
    req.set_cluster_default(broker < 0);
    req.set_broker_id(broker < 0 ? 0 : broker);
    req.set_validate_only(validate_only);
    req.set_replace_all(replace_all);
    for (const auto& [k, v] : changes) {
      auto* c = req.add_changes();
      c->set_key(k);
      if (v)
        c->set_value(*v);
      else
        c->set_op(cv1::ConfigChange::DELETE);
    }
    return st->alter_broker_configs(req);
  }
  config_map cluster_defaults() const {
    auto all = st->snapshot().broker_configs();
    return {all.cluster_defaults().begin(), all.cluster_defaults().end()};
  }
  config_map dynamic(int broker) const {
    auto all = st->snapshot().broker_configs();
    auto it = all.brokers().find(broker);
    return it == all.brokers().end() ? config_map{} : config_map(it->second.dynamic().begin(), it->second.dynamic().end());
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(broker_configs)

BOOST_AUTO_TEST_CASE(cluster_default_and_per_broker_values_are_stored_and_published) {
  broker_config_fixture f;
  BOOST_REQUIRE(f.alter(-1, {{"min.insync.replicas", "2"}}).error() == cv1::COORDINATOR_OK);
  BOOST_REQUIRE(f.alter(5, {{"log.retention.ms", "60000"}}).error() == cv1::COORDINATOR_OK);
  BOOST_TEST((f.cluster_defaults() == config_map{{"min.insync.replicas", "2"}}));
  BOOST_TEST((f.dynamic(5) == config_map{{"log.retention.ms", "60000"}}));
  // Each change is a delta carrying the whole BrokerConfigs.
  BOOST_REQUIRE(f.deltas.size() == 2u);
  BOOST_TEST(f.deltas.back().has_broker_configs());
  BOOST_TEST(f.deltas.back().broker_configs().cluster_defaults().at("min.insync.replicas") == "2");
  BOOST_TEST(f.deltas.back().version() == f.st->version());

  f.reopen();  // a coordinator restart
  BOOST_TEST((f.cluster_defaults() == config_map{{"min.insync.replicas", "2"}}));
  BOOST_TEST((f.dynamic(5) == config_map{{"log.retention.ms", "60000"}}));

  BOOST_REQUIRE(f.alter(-1, {{"min.insync.replicas", std::nullopt}}).error() == cv1::COORDINATOR_OK);
  BOOST_TEST(f.cluster_defaults().empty());
  f.reopen();
  BOOST_TEST(f.cluster_defaults().empty());
}

BOOST_AUTO_TEST_CASE(bad_values_and_configs_not_dynamic_here_are_refused) {
  broker_config_fixture f;
  auto r = f.alter(-1, {{"min.insync.replicas", "0"}});
  BOOST_TEST(r.error() == cv1::INVALID_CONFIG);
  BOOST_TEST(r.error_message().find("min.insync.replicas") != std::string::npos, r.error_message());
  r = f.alter(1, {{"num.io.threads", "8"}});
  BOOST_TEST(r.error() == cv1::INVALID_CONFIG);
  BOOST_TEST(r.error_message().find("Cannot update these configs dynamically") != std::string::npos);
  r = f.alter(1, {{"unclean.leader.election.enable", "true"}});
  BOOST_TEST(r.error() == cv1::INVALID_CONFIG);
  // One bad value refuses the whole resource.
  r = f.alter(-1, {{"log.retention.ms", "1000"}, {"log.segment.bytes", "many"}});
  BOOST_TEST(r.error() == cv1::INVALID_CONFIG);
  BOOST_TEST(f.cluster_defaults().empty());
  cv1::AlterBrokerConfigsRequest negative;
  negative.set_broker_id(-3);
  BOOST_TEST(f.st->alter_broker_configs(negative).error() == cv1::INVALID_REQUEST);
  BOOST_TEST(f.deltas.empty());
}

// kafka-reassign-partitions --verify deletes the throttles: accepted when
// nothing is set (and nothing committed); --throttle sets them: refused.
BOOST_AUTO_TEST_CASE(throttles_delete_but_never_set) {
  broker_config_fixture f;
  auto r = f.alter(1, {{"leader.replication.throttled.rate", std::nullopt},
                       {"follower.replication.throttled.rate", std::nullopt},
                       {"replica.alter.log.dirs.io.max.bytes.per.second", std::nullopt}});
  BOOST_TEST(r.error() == cv1::COORDINATOR_OK);
  BOOST_TEST(f.deltas.empty());
  r = f.alter(1, {{"leader.replication.throttled.rate", "1000"}});
  BOOST_TEST(r.error() == cv1::INVALID_CONFIG);
  BOOST_TEST(r.error_message().find("does not throttle") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(validate_only_and_replace_all) {
  broker_config_fixture f;
  BOOST_REQUIRE(f.alter(-1, {{"log.retention.ms", "1000"}}, true).error() == cv1::COORDINATOR_OK);
  BOOST_TEST(f.cluster_defaults().empty());
  BOOST_TEST(f.alter(-1, {{"log.retention.ms", "x"}}, true).error() == cv1::INVALID_CONFIG);
  BOOST_REQUIRE(f.alter(-1, {{"log.retention.ms", "1000"}, {"min.insync.replicas", "2"}}).error() ==
                cv1::COORDINATOR_OK);
  // AlterConfigs: what is not listed goes back to its default.
  BOOST_REQUIRE(f.alter(-1, {{"log.segment.bytes", "4096"}}, false, true).error() == cv1::COORDINATOR_OK);
  BOOST_TEST((f.cluster_defaults() == config_map{{"log.segment.bytes", "4096"}}));
  // The same values again change nothing and commit nothing.
  auto deltas = f.deltas.size();
  BOOST_REQUIRE(f.alter(-1, {{"log.segment.bytes", "4096"}}).error() == cv1::COORDINATOR_OK);
  BOOST_TEST(f.deltas.size() == deltas);
}

// Static flags: a partition server's from its registration (re-registering
// with other flags replaces them), the coordinator's from its options at
// every start (never stored).
BOOST_AUTO_TEST_CASE(static_flags_come_with_registrations_and_the_coordinators_options) {
  broker_config_fixture f;
  cv1::RegisterRequest req;
  req.set_kind(mv1::PARTITION_SERVER);
  req.set_requested_node_id(4);
  req.set_rpc_url("tcp://127.0.0.1:7");
  (*req.mutable_static_configs())["min.insync.replicas"] = "2";
  BOOST_REQUIRE(f.st->register_service(req, f.now).error() == cv1::COORDINATOR_OK);
  auto flags = [&] { return f.st->snapshot().broker_configs().brokers().at(4).static_flags(); };
  BOOST_TEST(flags().at("min.insync.replicas") == "2");
  BOOST_TEST(f.deltas.back().broker_configs().brokers().at(4).static_flags().at("min.insync.replicas") == "2");
  req.mutable_static_configs()->clear();
  BOOST_REQUIRE(f.st->register_service(req, f.now).error() == cv1::COORDINATOR_OK);
  BOOST_TEST(flags().empty());

  BOOST_TEST(f.st->snapshot().broker_configs().coordinator_static().empty());
  f.opts.unclean_leader_election = true;
  f.reopen();
  BOOST_TEST(f.st->snapshot().broker_configs().coordinator_static().at("unclean.leader.election.enable") == "true");
  f.opts.unclean_leader_election = false;
  f.reopen();
  BOOST_TEST(f.st->snapshot().broker_configs().coordinator_static().empty());
}

BOOST_AUTO_TEST_SUITE_END()
