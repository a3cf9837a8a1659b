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
      BOOST_TEST(*e.default_value == "604800000");
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

BOOST_AUTO_TEST_CASE(broker_defaults_are_read_only) {
  auto entries = broker_config_entries(std::vector<std::string>{"log.retention.ms"});
  BOOST_REQUIRE(entries.size() == 1u);
  BOOST_TEST(entries[0].read_only);
  BOOST_TEST(*entries[0].value == "604800000");
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
  auto brokers = broker_config_entries(std::vector<std::string>{"min.insync.replicas", "unclean.leader.election.enable"});
  BOOST_TEST(brokers.size() == 2u);
}

BOOST_AUTO_TEST_SUITE_END()
