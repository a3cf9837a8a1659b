// The group coordinator's view of the classic records: offsets and classic
// groups written in the versions Kafka's tools read and mapped back from
// every version an older Kafka wrote; and the consumer protocol's metadata
// (subscribed topics, DescribeGroups' bytes) in every version a client sends.
#include <boost/test/unit_test.hpp>

#include "common/protocol/data/consumer_protocol_subscription.h"
#include "common/protocol/data/group_metadata_value.h"
#include "common/protocol/data/offset_commit_value.h"
#include "common/protocol/versioned_data.h"
#include "services/group-coordinator/classic/consumer_protocol.h"
#include "services/group-coordinator/records/offsets_records.h"

using namespace sluice::group_coordinator;
namespace protocol = sluice::protocol;

namespace {

/// A classic group value as an older (or newer) Kafka would have written it.
protocol::group_metadata_value kafka_group() {
  return {.protocol_type = "consumer", .generation = 4, .protocol = "range", .leader = "m1",
          .current_state_timestamp = 77,
          .members = {{.member_id = "m1", .group_instance_id = "static-1", .client_id = "c",
                       .client_host = "/10.0.0.1", .rebalance_timeout = 300, .session_timeout = 100,
                       .subscription = protocol::bytes_of("sub"), .assignment = protocol::bytes_of("asg")}}};
}

}  // namespace

BOOST_AUTO_TEST_SUITE(offsets_records)

BOOST_AUTO_TEST_CASE(group_values_round_trip_and_old_versions_read) {
  const group_value v{.protocol_type = "consumer", .generation = 3, .protocol = "range", .leader = std::nullopt,
                      .state_timestamp = 1700000000000,
                      .members = {{"m1", "static-1", "c", "/h", 300, 100, "sub", std::string("\0asg", 4)}}};
  const std::string written = encode_value(v);
  BOOST_TEST(protocol::version_of(written) == 3);
  const auto back = decode_group_value(written);
  BOOST_TEST(back.protocol_type == "consumer");
  BOOST_TEST(back.generation == 3);
  BOOST_TEST((back.protocol == v.protocol));
  BOOST_TEST(!back.leader);
  BOOST_TEST(back.state_timestamp == v.state_timestamp);
  BOOST_REQUIRE(back.members.size() == 1u);
  BOOST_TEST((back.members[0].instance_id == v.members[0].instance_id));
  BOOST_TEST(back.members[0].rebalance_timeout_ms == 300);
  BOOST_TEST(back.members[0].session_timeout_ms == 100);
  BOOST_TEST(back.members[0].assignment == v.members[0].assignment);

  for (std::int16_t version = 0; version <= 4; ++version) {
    BOOST_TEST_CONTEXT("GroupMetadataValue v" << version) {
      const auto old = decode_group_value(protocol::encode_versioned(kafka_group(), version));
      BOOST_TEST(old.generation == 4);
      BOOST_TEST(old.members.at(0).subscription == "sub");
      BOOST_TEST(old.members.at(0).session_timeout_ms == 100);
      // v0 had one timeout for both; v1 added the rebalance timeout, v2 the
      // state time, v3 the instance id.
      BOOST_TEST(old.members.at(0).rebalance_timeout_ms == (version == 0 ? 100 : 300));
      BOOST_TEST(old.state_timestamp == (version >= 2 ? 77 : -1));
      BOOST_TEST(old.members.at(0).instance_id.has_value() == (version >= 3));
    }
  }
  // A version this reader does not know is refused, not guessed at.
  BOOST_CHECK_THROW(decode_group_value(protocol::encode_versioned(kafka_group(), 4).replace(0, 2, "\0\5", 2)),
                    protocol::decode_error);
}

BOOST_AUTO_TEST_CASE(offset_values_read_in_every_version) {
  const protocol::offset_commit_value kafka{
      .offset = 42, .leader_epoch = 6, .metadata = "meta", .commit_timestamp = 1000, .expire_timestamp = 2000};
  for (std::int16_t version = 0; version <= 4; ++version) {
    BOOST_TEST_CONTEXT("OffsetCommitValue v" << version) {
      const auto v = decode_offset_value(protocol::encode_versioned(kafka, version));
      BOOST_TEST(v.offset == 42);
      BOOST_TEST(v.leader_epoch == (version >= 3 ? 6 : -1));
      BOOST_TEST(v.metadata == "meta");
      BOOST_TEST(v.commit_timestamp == 1000);
    }
  }
  // A newer version reads with v4's layout, as this reader always has.
  std::string v5 = protocol::encode_versioned(kafka, 4);
  v5[1] = 5;
  BOOST_TEST(decode_offset_value(v5).leader_epoch == 6);

  offset_value ours{7, 2, "", 5};
  const auto back = decode_offset_value(encode_value(ours));
  BOOST_TEST(back.offset == 7);
  BOOST_TEST(back.leader_epoch == 2);
  BOOST_TEST(back.commit_timestamp == 5);
}

BOOST_AUTO_TEST_CASE(keys_name_their_record_type_by_version) {
  const auto k = decode_key(encode_key(offset_key{"g", "t", 3}));
  BOOST_REQUIRE(std::holds_alternative<offset_key>(k));
  BOOST_TEST(std::get<offset_key>(k).topic == "t");
  BOOST_TEST(std::get<offset_key>(k).partition == 3);
  // Key v0 is an offset too (the same fields).
  std::string v0 = encode_key(offset_key{"g", "t", 3});
  v0[1] = 0;
  BOOST_TEST(std::holds_alternative<offset_key>(decode_key(v0)));
  BOOST_TEST(std::get<group_key>(decode_key(encode_key(group_key{"grp"}))).group == "grp");
  // KIP-848 (3-8), transactions and anything newer are not ours.
  BOOST_TEST(std::holds_alternative<std::monostate>(decode_key(std::string("\0\3\0\1g", 5))));
  BOOST_TEST(std::holds_alternative<std::monostate>(decode_key(std::string("\0\x63", 2))));
  BOOST_CHECK_THROW(decode_key(std::string("\0", 1)), protocol::decode_error);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(consumer_protocol_metadata)

BOOST_AUTO_TEST_CASE(subscribed_topics_in_every_version) {
  const protocol::consumer_protocol_subscription s{.topics = {"orders", "payments"},
                                                   .owned_partitions = {{.topic = "orders", .partitions = {0}}},
                                                   .generation_id = 3, .rack_id = "r1"};
  for (std::int16_t version = 0; version <= 3; ++version) {
    BOOST_TEST_CONTEXT("ConsumerProtocolSubscription v" << version) {
      BOOST_TEST(subscription_topics(protocol::encode_versioned(s, version)) ==
                     (std::vector<std::string>{"orders", "payments"}),
                 boost::test_tools::per_element());
    }
  }
  // A newer version, or a negative one, is read with the nearest layout we know.
  std::string newer = protocol::encode_versioned(s, 3);
  newer[1] = 7;
  BOOST_TEST(subscription_topics(newer).size() == 2u);
  std::string negative = protocol::encode_versioned(s, 0);
  negative[0] = negative[1] = '\xff';
  BOOST_TEST(subscription_topics(negative).size() == 2u);
  BOOST_TEST(subscription_topics("").empty());
  BOOST_TEST(subscription_topics(std::string("\0\0\xff\xff\xff\xfe", 6)).empty());  // a negative count
}

BOOST_AUTO_TEST_CASE(what_we_write_is_version_0_without_user_data) {
  const std::string sub = encode_subscription({"t"});
  BOOST_TEST(sub == std::string("\0\0" "\0\0\0\1" "\0\1t" "\xff\xff\xff\xff", 13));
  const auto back =
      protocol::decode_versioned<protocol::consumer_protocol_subscription>(sub, protocol::unknown_version::refuse);
  BOOST_TEST(back.version == 0);
  BOOST_TEST(!back.message.user_data.has_value());
}

BOOST_AUTO_TEST_SUITE_END()
