// Dynamic broker configs: the table, validation, and a broker's effective
// values (common/config/broker_config.h).
#include <boost/test/unit_test.hpp>

#include "common/config/broker_config.h"

namespace cfg = sluice::config;

BOOST_AUTO_TEST_SUITE(broker_config)

BOOST_AUTO_TEST_CASE(every_topic_default_is_a_broker_config) {
  auto defs = cfg::broker_definitions();
  for (std::size_t i = 1; i < defs.size(); ++i) BOOST_TEST((defs[i - 1].name < defs[i].name));
  for (const auto& d : defs) BOOST_TEST(cfg::find_broker(d.name) == &d);
  for (auto [broker, topic] : std::initializer_list<std::pair<const char*, const char*>>{
           {"log.retention.ms", "retention.ms"},
           {"log.retention.bytes", "retention.bytes"},
           {"log.segment.bytes", "segment.bytes"},
           {"log.cleanup.policy", "cleanup.policy"},
           {"min.insync.replicas", "min.insync.replicas"},
           {"unclean.leader.election.enable", "unclean.leader.election.enable"},
           {"message.max.bytes", "max.message.bytes"},
           {"compression.type", "compression.type"}}) {
    const auto* d = cfg::find_broker(broker);
    BOOST_REQUIRE_MESSAGE(d != nullptr, broker);
    BOOST_REQUIRE(d->topic != nullptr);
    BOOST_TEST(d->topic->name == topic);
  }
  // Topic-only configs have no broker default.
  BOOST_TEST(cfg::find_broker("leader.replication.throttled.replicas") == nullptr);
  BOOST_TEST(cfg::find_broker("num.io.threads") == nullptr);
  BOOST_TEST((cfg::find_broker("unclean.leader.election.enable")->applier == cfg::applied_by::coordinator));
  BOOST_TEST((cfg::find_broker("min.insync.replicas")->applier == cfg::applied_by::partition_server));
}

BOOST_AUTO_TEST_CASE(values_are_checked_under_the_broker_name) {
  BOOST_TEST(!cfg::validate_broker("min.insync.replicas", "2", true));
  BOOST_TEST(!cfg::validate_broker("log.cleanup.policy", "compact,delete", false));
  BOOST_TEST(!cfg::validate_broker("unclean.leader.election.enable", "true", false));
  auto e = cfg::validate_broker("min.insync.replicas", "0", false);
  BOOST_TEST((e.code == cfg::errc::invalid_value));
  BOOST_TEST(e.message.find("min.insync.replicas") != std::string::npos);
  e = cfg::validate_broker("log.retention.ms", "soon", false);
  BOOST_TEST((e.code == cfg::errc::invalid_value));
  BOOST_TEST(e.message.find("log.retention.ms") != std::string::npos, e.message);
  BOOST_TEST(e.message.find("LONG") != std::string::npos, e.message);
}

BOOST_AUTO_TEST_CASE(static_and_unknown_configs_are_refused) {
  auto e = cfg::validate_broker("num.io.threads", "8", false);
  BOOST_TEST((e.code == cfg::errc::unknown_key));
  BOOST_TEST(e.message.find("Cannot update these configs dynamically: num.io.threads") != std::string::npos);
  // Elections are the coordinator's: not per broker.
  e = cfg::validate_broker("unclean.leader.election.enable", "true", true);
  BOOST_TEST((e.code == cfg::errc::read_only));
  BOOST_TEST(e.message.find("--entity-default") != std::string::npos);
}

// kafka-reassign-partitions --throttle sets these; Sluice does not throttle.
BOOST_AUTO_TEST_CASE(throttles_are_known_and_refused) {
  for (const char* name : {"leader.replication.throttled.rate", "follower.replication.throttled.rate",
                           "replica.alter.log.dirs.io.max.bytes.per.second"}) {
    const auto* d = cfg::find_broker(name);
    BOOST_REQUIRE_MESSAGE(d != nullptr, name);
    BOOST_TEST(d->default_value == "9223372036854775807");
    auto e = cfg::validate_broker(name, "1000", false);
    BOOST_TEST((e.code == cfg::errc::read_only));
    BOOST_TEST(e.message.find("does not throttle") != std::string::npos);
  }
}

BOOST_AUTO_TEST_CASE(effective_value_is_broker_then_cluster_then_static_then_kafka) {
  const auto& def = *cfg::find_broker("min.insync.replicas");
  cfg::broker_layers layers;
  auto first = [&] { return cfg::broker_synonyms(def, layers).front(); };
  BOOST_TEST((first() == cfg::sourced_value{"1", cfg::config_source::default_config}));
  layers.static_flags["min.insync.replicas"] = "3";
  BOOST_TEST((first() == cfg::sourced_value{"3", cfg::config_source::static_broker}));
  layers.cluster["min.insync.replicas"] = "2";
  BOOST_TEST((first() == cfg::sourced_value{"2", cfg::config_source::dynamic_default_broker}));
  layers.broker["min.insync.replicas"] = "4";
  BOOST_TEST((first() == cfg::sourced_value{"4", cfg::config_source::dynamic_broker}));
  auto all = cfg::broker_synonyms(def, layers);
  BOOST_REQUIRE(all.size() == 4u);
  BOOST_TEST(all[1].value == "2");
  BOOST_TEST(all[2].value == "3");
  BOOST_TEST(all[3].value == "1");
}

// What a partition server's logs use: topic override > broker-level value.
BOOST_AUTO_TEST_CASE(topic_overrides_win_over_broker_defaults) {
  cfg::broker_layers layers;
  layers.cluster = {{"log.retention.ms", "5000"}, {"min.insync.replicas", "2"}, {"log.segment.bytes", "4096"}};
  layers.broker = {{"log.segment.bytes", "8192"}};
  auto defaults = cfg::broker_topic_defaults(layers);
  BOOST_TEST(defaults.size() == 3u);
  BOOST_TEST(defaults.at("retention.ms") == "5000");
  BOOST_TEST(defaults.at("segment.bytes") == "8192");
  auto effective = cfg::with_broker_defaults(layers, {{"retention.ms", "100"}});
  BOOST_TEST(effective.at("retention.ms") == "100");
  BOOST_TEST(effective.at("min.insync.replicas") == "2");
  auto log = cfg::make_log_config(effective);
  BOOST_TEST(log.retention_ms == 100);
  BOOST_TEST(log.segment_bytes == 8192);
  BOOST_TEST(log.min_insync_replicas == 2);
  BOOST_TEST(log.min_insync_replicas_set);
  BOOST_TEST(cfg::broker_topic_defaults({}).empty());
}

BOOST_AUTO_TEST_SUITE_END()
