#define BOOST_TEST_MODULE topic_config
#include <boost/test/unit_test.hpp>

#include "common/config/topic_config.h"

namespace cfg = sluice::config;

BOOST_AUTO_TEST_CASE(defaults_are_kafkas) {
  const auto& d = cfg::defaults();
  BOOST_TEST(d.at("cleanup.policy") == "delete");
  BOOST_TEST(d.at("max.message.bytes") == "1048588");
  BOOST_TEST(d.at("segment.bytes") == "1073741824");
  BOOST_TEST(d.at("retention.ms") == "604800000");
  BOOST_TEST(d.at("message.timestamp.type") == "CreateTime");
  BOOST_TEST(d.at("compression.type") == "producer");
  BOOST_TEST(d.at("min.insync.replicas") == "1");
  BOOST_TEST(d.at("unclean.leader.election.enable") == "false");
  BOOST_TEST(d.size() == cfg::definitions().size());
}

BOOST_AUTO_TEST_CASE(definitions_are_sorted_and_findable) {
  auto defs = cfg::definitions();
  for (std::size_t i = 1; i < defs.size(); ++i) BOOST_TEST((defs[i - 1].name < defs[i].name), defs[i - 1].name << " < " << defs[i].name);
  for (const auto& d : defs) BOOST_TEST(cfg::find(d.name) == &d);
  BOOST_TEST(cfg::find("no.such.key") == nullptr);
}

BOOST_AUTO_TEST_CASE(accepts_valid_values) {
  for (auto [k, v] : std::initializer_list<std::pair<const char*, const char*>>{
           {"cleanup.policy", "compact"},
           {"cleanup.policy", "compact,delete"},
           {"cleanup.policy", "delete, compact"},
           {"retention.ms", "-1"},
           {"retention.bytes", "-1"},
           {"segment.bytes", "1048576"},
           {"max.message.bytes", "2000000"},
           {"message.timestamp.type", "LogAppendTime"},
           {"compression.type", "zstd"},
           {"min.insync.replicas", "2"},
           {"unclean.leader.election.enable", "TRUE"},
           {"min.cleanable.dirty.ratio", "0.1"},
           {"leader.replication.throttled.replicas", "0:1,1:2"},
           {"flush.messages", "1"},
       }) {
    auto e = cfg::validate(k, v);
    BOOST_TEST(!e, k << "=" << v << ": " << e.message);
  }
}

BOOST_AUTO_TEST_CASE(rejects_invalid_values_with_a_message) {
  for (auto [k, v] : std::initializer_list<std::pair<const char*, const char*>>{
           {"cleanup.policy", "forever"},
           {"cleanup.policy", ""},
           {"retention.ms", "-2"},
           {"retention.ms", "soon"},
           {"segment.bytes", "13"},
           {"segment.bytes", "99999999999"},  // over INT32_MAX
           {"max.message.bytes", "-1"},
           {"message.timestamp.type", "createtime"},
           {"compression.type", "brotli"},
           {"min.insync.replicas", "0"},
           {"unclean.leader.election.enable", "yes"},
           {"min.cleanable.dirty.ratio", "1.5"},
           {"segment.ms", "0"},
           {"leader.replication.throttled.replicas", "x"},
       }) {
    auto e = cfg::validate(k, v);
    BOOST_TEST(e.code == cfg::errc::invalid_value, k << "=" << v);
    BOOST_TEST(e.message.find(k) != std::string::npos);
  }
  BOOST_TEST(cfg::validate("bogus.key", "1").code == cfg::errc::unknown_key);
}

BOOST_AUTO_TEST_CASE(validate_all_checks_cross_key_rules) {
  BOOST_TEST(!cfg::validate_all({{"min.compaction.lag.ms", "10"}, {"max.compaction.lag.ms", "100"}}));
  BOOST_TEST(cfg::validate_all({{"min.compaction.lag.ms", "1000"}, {"max.compaction.lag.ms", "100"}}).code ==
             cfg::errc::invalid_value);
  BOOST_TEST(cfg::validate_all({{"retention.ms", "1"}, {"nope", "1"}}).code == cfg::errc::unknown_key);
}

BOOST_AUTO_TEST_CASE(effective_overlays_defaults) {
  auto e = cfg::effective({{"retention.ms", "1000"}});
  BOOST_TEST(e.at("retention.ms") == "1000");
  BOOST_TEST(e.at("segment.bytes") == "1073741824");
}

BOOST_AUTO_TEST_CASE(log_config_reads_typed_values) {
  auto c = cfg::make_log_config({{"segment.bytes", "1048576"},
                                 {"message.timestamp.type", "LogAppendTime"},
                                 {"max.message.bytes", "5000"},
                                 {"cleanup.policy", "compact"},
                                 {"flush.messages", "1"}});
  BOOST_TEST(c.segment_bytes == 1048576);
  BOOST_TEST(c.log_append_time);
  BOOST_TEST(c.max_message_bytes == 5000);
  BOOST_TEST(c.cleanup_compact);
  BOOST_TEST(!c.cleanup_delete);
  BOOST_TEST(c.flush_messages == 1);
  auto d = cfg::make_log_config({});
  BOOST_TEST(d.segment_bytes == 1073741824);
  BOOST_TEST(d.max_message_bytes == 1048588);
  BOOST_TEST(!d.log_append_time);
  BOOST_TEST(d.index_interval_bytes == 4096);
}

BOOST_AUTO_TEST_CASE(sensitivity_and_read_only) {
  BOOST_TEST(!cfg::is_sensitive("retention.ms"));
  BOOST_TEST(!cfg::is_read_only("retention.ms"));
  BOOST_TEST(!cfg::is_read_only("unknown"));
}
