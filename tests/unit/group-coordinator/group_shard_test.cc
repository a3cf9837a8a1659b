// A shard with a fake log: commits become visible only once written, what
// is written replays into the same state (offsets, group metadata,
// tombstones), and the records use Kafka's formats.
#include <boost/test/unit_test.hpp>

#include "services/group-coordinator/classic/consumer_protocol.h"
#include "services/group-coordinator/group_shard.h"
#include "tests/unit/group-coordinator/shard_test_util.h"

using namespace sluice::group_coordinator;
using namespace sluice::group_coordinator::test;

namespace {

using fake_log = fake_record_log;

/// A shard's new owner: `written`'s records replayed into a fresh shard.
struct replayed_shard {
  fake_log log;
  group_shard shard;
  replayed_shard(const fake_log& written, const group_options& options) : shard(0, 1, options, log) {
    for (const auto& r : written.written)
      shard.apply(r.key, r.value ? std::optional<std::string_view>(*r.value) : std::nullopt, topic_catalog{}, {});
  }
};

}  // namespace

namespace sluice::group_coordinator {
std::ostream& operator<<(std::ostream& out, group_state s);  // classic_group_test.cc
}  // namespace sluice::group_coordinator

BOOST_AUTO_TEST_SUITE(group_shard_log)

BOOST_FIXTURE_TEST_CASE(commits_are_visible_once_durable_and_replay, shard_fixture) {
  std::optional<error_code> result;
  shard.commit("g", {{{"orders", 0}, at(42)}, {{"orders", 1}, at(7)}}, [&](error_code e) { result = e; });
  BOOST_TEST(!shard.offsets("g"));  // not yet durable
  log.complete();
  BOOST_REQUIRE(result);
  BOOST_TEST(code_of(*result) == code_of(error_code::none));
  BOOST_TEST(shard.offsets("g")->at({"orders", 0}).offset == 42);

  // A failed write changes nothing.
  shard.commit("g", {{{"orders", 0}, at(99)}}, [&](error_code e) { result = e; });
  log.complete(error_code::coordinator_not_available);
  BOOST_TEST(code_of(*result) == code_of(error_code::coordinator_not_available));
  BOOST_TEST(shard.offsets("g")->at({"orders", 0}).offset == 42);

  // A new owner replaying the records sees the same offsets.
  replayed_shard other(log, options);
  auto& replayed = other.shard;
  BOOST_TEST(replayed.offsets("g")->at({"orders", 1}).offset == 7);
  BOOST_TEST(replayed.offsets("g")->at({"orders", 1}).metadata == "meta");
}

BOOST_FIXTURE_TEST_CASE(deleting_a_group_writes_tombstones, shard_fixture) {
  shard.commit("g", {{{"t", 0}, at(1)}}, [](error_code) {});
  log.complete();
  std::optional<error_code> deleted;
  shard.delete_group("g", [&](error_code e) { deleted = e; });
  log.complete();
  BOOST_TEST(code_of(*deleted) == code_of(error_code::none));
  BOOST_TEST(!shard.exists("g"));

  replayed_shard other(log, options);
  auto& replayed = other.shard;
  BOOST_TEST(!replayed.exists("g"));
}

BOOST_FIXTURE_TEST_CASE(classic_group_metadata_replays_as_a_stable_group, shard_fixture) {
  options.initial_rebalance_delay = std::chrono::milliseconds(0);
  const auto member = stable_classic_member(shard, log, "assignment");
  BOOST_TEST(shard.classic("g")->state() == group_state::stable);

  replayed_shard other(log, options);
  auto& replayed = other.shard;
  auto* back = replayed.classic("g");
  BOOST_REQUIRE(back);
  BOOST_TEST(back->state() == group_state::stable);
  BOOST_TEST(back->generation() == 1);
  BOOST_TEST(back->members().at(member).assignment == "assignment");
  BOOST_TEST(back->members().at(member).client_host == "/10.0.0.1");
  BOOST_TEST(*back->protocol_name() == "range");
}

BOOST_AUTO_TEST_CASE(record_formats_match_kafka_bytes) {
  // OffsetCommitKey v1: version, group, topic, partition.
  const std::string key = encode_key(offset_key{"g", "t", 3});
  const std::string expected_key("\x00\x01\x00\x01g\x00\x01t\x00\x00\x00\x03", 12);
  BOOST_TEST(key == expected_key);
  // OffsetCommitValue v3: version, offset, leader epoch, metadata, commit timestamp.
  offset_value v;
  v.offset = 5;
  v.leader_epoch = 2;
  v.metadata = "";
  v.commit_timestamp = 1;
  const std::string value = encode_value(v);
  const std::string expected_value("\x00\x03" "\x00\x00\x00\x00\x00\x00\x00\x05" "\x00\x00\x00\x02" "\x00\x00"
                                   "\x00\x00\x00\x00\x00\x00\x00\x01",
                                   24);
  BOOST_TEST(value == expected_value);
  // An OffsetCommitValue v1 (with expire timestamp) from an old Kafka still reads.
  const std::string v1("\x00\x01" "\x00\x00\x00\x00\x00\x00\x00\x09" "\x00\x02hi"
                       "\x00\x00\x00\x00\x00\x00\x00\x01" "\x00\x00\x00\x00\x00\x00\x00\x02",
                       30);
  auto decoded = decode_offset_value(v1);
  BOOST_TEST(decoded.offset == 9);
  BOOST_TEST(decoded.metadata == "hi");
  BOOST_TEST(decoded.leader_epoch == -1);
  BOOST_TEST(std::holds_alternative<group_key>(decode_key(encode_key(group_key{"g"}))));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(offsets_retention)

BOOST_FIXTURE_TEST_CASE(old_offsets_nobody_consumes_expire_with_tombstones, shard_fixture) {
  options.offsets_retention = std::chrono::hours(1);
  const std::int64_t now_ms = 1700000000000;
  auto at_time = [](std::int64_t offset, std::int64_t ts) {
    offset_value v;
    v.offset = offset;
    v.commit_timestamp = ts;
    return v;
  };
  shard.commit("g", {{{"old", 0}, at_time(5, now_ms - 2 * 3600 * 1000)}, {{"new", 0}, at_time(6, now_ms - 60 * 1000)}},
               [](error_code) {});
  log.complete();
  // The first check after a load counts the retention from itself: nothing goes yet.
  BOOST_TEST(shard.expire_offsets(now_ms - 2 * 3600 * 1000, topic_catalog{}) == 0u);
  BOOST_TEST(shard.expire_offsets(now_ms, topic_catalog{}) == 1u);
  log.complete();
  BOOST_TEST(shard.offsets("g")->size() == 1u);
  BOOST_TEST(shard.offsets("g")->count({"new", 0}) == 1u);
  // The tombstone replays too.
  replayed_shard other(log, options);
  auto& replayed = other.shard;
  BOOST_TEST(replayed.offsets("g")->count({"old", 0}) == 0u);
  BOOST_TEST(shard.expire_offsets(now_ms, topic_catalog{}) == 0u);
}

BOOST_FIXTURE_TEST_CASE(offsets_of_subscribed_topics_stay, shard_fixture) {
  options.offsets_retention = std::chrono::hours(1);
  options.initial_rebalance_delay = std::chrono::milliseconds(0);
  std::string member;
  shard.join_group("g", dynamic_join(encode_subscription({"orders"})), no_topics(), {},
                   [&](join_result r) { member = r.member_id; });
  offset_value old;
  old.offset = 1;
  old.commit_timestamp = 0;
  shard.commit("g", {{{"orders", 0}, old}, {{"gone", 0}, old}}, [](error_code) {});
  log.complete();
  BOOST_TEST(shard.expire_offsets(0, topic_catalog{}) == 0u);
  BOOST_TEST(shard.expire_offsets(1700000000000, topic_catalog{}) == 1u);  // only the topic nobody reads
  log.complete();
  BOOST_TEST(shard.offsets("g")->count({"orders", 0}) == 1u);
}

BOOST_AUTO_TEST_SUITE_END()

// The result model across a shard: nothing is visible or answered before
// the log has it, a failed append changes nothing and answers the
// operation's own Kafka error, and a group deleted and created again is a
// new group.
BOOST_AUTO_TEST_SUITE(group_shard_durability)

BOOST_FIXTURE_TEST_CASE(a_commit_too_large_is_invalid_commit_offset_size_and_changes_nothing, shard_fixture) {
  std::optional<error_code> result;
  shard.commit("g", {{{"t", 0}, at(1)}}, [&](error_code e) { result = e; });
  BOOST_TEST(!result);
  log.complete(error_code::invalid_commit_offset_size);
  BOOST_REQUIRE(result);
  BOOST_TEST(code_of(*result) == code_of(error_code::invalid_commit_offset_size));  // OffsetCommit's own answer
  BOOST_TEST(!shard.offsets("g"));
  BOOST_TEST(!shard.exists("g"));
}

BOOST_FIXTURE_TEST_CASE(a_failed_kip848_heartbeat_leaves_the_group_as_it_was, shard_fixture) {
  const auto topics = orders_catalog();
  auto hb = joining_member("a");
  std::optional<consumer_heartbeat_result> result;
  shard.consumer_group_heartbeat("g", hb, topics, {}, [&](consumer_heartbeat_result r) { result = r; });
  log.complete();
  BOOST_REQUIRE(result);
  BOOST_TEST(shard.consumer("g")->group_epoch() == 1);

  hb.member_id = "b";  // a second member: a new epoch, if it is written
  result.reset();
  shard.consumer_group_heartbeat("g", hb, topics, {}, [&](consumer_heartbeat_result r) { result = r; });
  BOOST_TEST(!result);
  BOOST_TEST(shard.consumer("g")->members().size() == 1u);
  log.complete(error_code::invalid_commit_offset_size);
  BOOST_REQUIRE(result);
  BOOST_TEST(code_of(result->error) == code_of(error_code::unknown_server_error));
  BOOST_TEST(shard.consumer("g")->members().size() == 1u);
  BOOST_TEST(shard.consumer("g")->group_epoch() == 1);
  BOOST_TEST(shard.consumer("g")->target().count("b") == 0u);
}

BOOST_FIXTURE_TEST_CASE(a_group_deleted_and_created_again_is_a_new_group, shard_fixture) {
  options.initial_rebalance_delay = std::chrono::milliseconds(0);
  // An old group: one member, stable, then left (generation 2, empty), with offsets.
  const auto old_member = stable_classic_member(shard, log, "old");
  shard.leave_group("g", {{old_member, std::nullopt}}, no_topics(), {}, [](group_shard::leave_result) {});
  shard.commit("g", {{{"t", 0}, at(5)}}, [](error_code) {});
  log.complete_all();
  BOOST_REQUIRE(shard.classic("g"));
  BOOST_TEST(shard.classic("g")->generation() == 2);

  std::optional<error_code> deleted;
  shard.delete_group("g", [&](error_code e) { deleted = e; });
  // A member joins meanwhile: it waits for the deletion, then starts a new group.
  std::optional<join_result> joined;
  shard.join_group("g", dynamic_join(), no_topics(), {}, [&](join_result r) { joined = r; });
  BOOST_TEST(!joined);
  BOOST_TEST(log.pending.size() == 1u);
  log.complete();
  BOOST_REQUIRE(deleted);
  BOOST_TEST(code_of(*deleted) == code_of(error_code::none));
  BOOST_REQUIRE(joined);
  BOOST_TEST(code_of(joined->error) == code_of(error_code::none));
  BOOST_TEST(joined->generation == 1);  // not the old group's generation 3
  BOOST_TEST(joined->member_id != old_member);
  BOOST_TEST(!shard.offsets("g"));
  const auto* fresh = shard.classic("g");
  BOOST_REQUIRE(fresh);
  BOOST_TEST(fresh->members().size() == 1u);
  BOOST_TEST(fresh->members().count(old_member) == 0u);

  // Replayed: the old group's records are gone behind its tombstones.
  replayed_shard other(log, options);
  auto& replayed = other.shard;
  BOOST_TEST(!replayed.exists("g"));
}

BOOST_FIXTURE_TEST_CASE(closing_answers_every_waiting_classic_request, shard_fixture) {
  options.initial_rebalance_delay = std::chrono::milliseconds(3000);  // the join waits for more members
  std::optional<join_result> joined;
  shard.join_group("g", dynamic_join(), no_topics(), {}, [&](join_result r) { joined = r; });
  BOOST_TEST(!joined);
  shard.close();
  BOOST_REQUIRE(joined);
  BOOST_TEST(code_of(joined->error) == code_of(error_code::not_coordinator));
}

BOOST_AUTO_TEST_SUITE_END()
