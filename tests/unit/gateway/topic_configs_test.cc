#include <boost/test/unit_test.hpp>

#include "common/config/topic_config.h"
#include "services/gateway/handlers/topic_configs.h"

using namespace sluice;
using namespace sluice::gateway;

BOOST_AUTO_TEST_SUITE(topic_configs)

BOOST_AUTO_TEST_CASE(every_known_config_with_overrides_marked) {
  auto entries = topic_config_entries({{"retention.ms", "1000"}}, std::nullopt);
  BOOST_TEST(entries.size() == config::definitions().size());
  bool found = false;
  for (const auto& e : entries) {
    if (e.name == "retention.ms") {
      found = true;
      BOOST_TEST(*e.value == "1000");
      BOOST_TEST((e.source == config_source::dynamic_topic));
      // The default the override hides, as the last synonym.
      BOOST_REQUIRE(e.synonyms.size() == 2u);
      BOOST_TEST(*e.synonyms.back().value == "604800000");
    } else if (e.name == "cleanup.policy") {
      BOOST_TEST(*e.value == "delete");
      BOOST_TEST((e.source == config_source::default_config));
    }
  }
  BOOST_TEST(found);
}

BOOST_AUTO_TEST_CASE(only_the_keys_asked_for) {
  auto entries = topic_config_entries({}, std::vector<std::string>{"segment.bytes", "no.such.key"});
  BOOST_REQUIRE(entries.size() == 1u);
  BOOST_TEST(entries[0].name == "segment.bytes");
  BOOST_TEST(entries[0].type == 3);  // INT
}

// Issue 11: broker configs are dynamic now (they were read-only constants).
BOOST_AUTO_TEST_CASE(broker_defaults_are_dynamic) {
  auto entries = broker_config_entries({}, std::vector<std::string>{"log.retention.ms"});
  BOOST_REQUIRE(entries.size() == 1u);
  BOOST_TEST(!entries[0].read_only);
  BOOST_TEST(*entries[0].value == "604800000");
  BOOST_TEST((entries[0].source == config_source::default_config));
}

// Replication settings a client can describe per topic and as broker defaults.
BOOST_AUTO_TEST_CASE(replication_configs_are_described) {
  auto entries = topic_config_entries({{"min.insync.replicas", "2"}},
                                      std::vector<std::string>{"min.insync.replicas", "unclean.leader.election.enable"});
  BOOST_REQUIRE(entries.size() == 2u);
  for (const auto& e : entries) {
    if (e.name == "min.insync.replicas") {
      BOOST_TEST(*e.value == "2");
      BOOST_TEST((e.source == config_source::dynamic_topic));
      BOOST_TEST(e.type == 3);  // INT
    } else {
      BOOST_TEST(e.name == "unclean.leader.election.enable");
      BOOST_TEST(*e.value == "false");
      BOOST_TEST(e.type == 1);  // BOOLEAN
    }
  }
  auto brokers =
      broker_config_entries({}, std::vector<std::string>{"min.insync.replicas", "unclean.leader.election.enable"});
  BOOST_TEST(brokers.size() == 2u);
}

// A broker's value comes from its own dynamic value, else the cluster
// default, else its static flag, else Kafka's default; synonyms list every
// layer that sets it in that order (Kafka's).
BOOST_AUTO_TEST_CASE(broker_entries_show_every_layer_in_kafkas_order) {
  config::broker_layers layers;
  layers.broker = {{"log.retention.ms", "1000"}};
  layers.cluster = {{"log.retention.ms", "2000"}, {"min.insync.replicas", "2"}};
  layers.static_flags = {{"min.insync.replicas", "3"}, {"log.retention.ms", "3000"}};
  auto entries = broker_config_entries(
      layers, std::vector<std::string>{"log.retention.ms", "min.insync.replicas", "log.segment.bytes"});
  BOOST_REQUIRE(entries.size() == 3u);
  for (const auto& e : entries) {
    if (e.name == "log.retention.ms") {
      BOOST_TEST(*e.value == "1000");
      BOOST_TEST((e.source == config_source::dynamic_broker));
      BOOST_REQUIRE(e.synonyms.size() == 4u);
      BOOST_TEST((e.synonyms[1].source == config_source::dynamic_default_broker));
      BOOST_TEST(*e.synonyms[1].value == "2000");
      BOOST_TEST((e.synonyms[2].source == config_source::static_broker));
      BOOST_TEST(*e.synonyms[2].value == "3000");
      BOOST_TEST((e.synonyms[3].source == config_source::default_config));
      BOOST_TEST(*e.synonyms[3].value == "604800000");
    } else if (e.name == "min.insync.replicas") {
      BOOST_TEST(*e.value == "2");
      BOOST_TEST((e.source == config_source::dynamic_default_broker));
      BOOST_TEST(e.synonyms.size() == 3u);
    } else {
      BOOST_TEST(e.name == "log.segment.bytes");
      BOOST_TEST(*e.value == "1073741824");
      BOOST_TEST((e.source == config_source::default_config));
      BOOST_TEST(e.synonyms.size() == 1u);
    }
  }
}

// The cluster default ("") lists only the values set, each its own synonym.
BOOST_AUTO_TEST_CASE(cluster_default_lists_only_what_is_set) {
  auto entries = default_broker_config_entries({{"min.insync.replicas", "2"}}, std::nullopt);
  BOOST_REQUIRE(entries.size() == 1u);
  BOOST_TEST(entries[0].name == "min.insync.replicas");
  BOOST_TEST(*entries[0].value == "2");
  BOOST_TEST((entries[0].source == config_source::dynamic_default_broker));
  BOOST_TEST(entries[0].synonyms.size() == 1u);
  BOOST_TEST(default_broker_config_entries({}, std::nullopt).empty());
}

// A topic config without an override shows the broker's effective default
// (not Kafka's constant), with the broker synonyms after the override.
BOOST_AUTO_TEST_CASE(topic_defaults_come_from_the_broker) {
  config::broker_layers layers;
  layers.cluster = {{"min.insync.replicas", "2"}, {"log.retention.ms", "5000"}};
  auto entries = topic_config_entries({{"retention.ms", "1000"}},
                                      std::vector<std::string>{"min.insync.replicas", "retention.ms"}, layers);
  BOOST_REQUIRE(entries.size() == 2u);
  for (const auto& e : entries) {
    if (e.name == "min.insync.replicas") {
      BOOST_TEST(*e.value == "2");
      BOOST_TEST((e.source == config_source::dynamic_default_broker));
      BOOST_REQUIRE(e.synonyms.size() == 2u);
      BOOST_TEST(e.synonyms[0].name == "min.insync.replicas");
      BOOST_TEST((e.synonyms[1].source == config_source::default_config));
    } else {
      BOOST_TEST(*e.value == "1000");
      BOOST_TEST((e.source == config_source::dynamic_topic));
      BOOST_REQUIRE(e.synonyms.size() == 3u);
      BOOST_TEST(e.synonyms[1].name == "log.retention.ms");
      BOOST_TEST(*e.synonyms[1].value == "5000");
      BOOST_TEST((e.synonyms[1].source == config_source::dynamic_default_broker));
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()
