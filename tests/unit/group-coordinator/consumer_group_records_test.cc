// KIP-848 groups in __consumer_offsets: each record type encodes in Kafka's
// layout and decodes back; a shard writes what a heartbeat or a tick
// changed before answering, and a new shard replaying those records has the
// same group (members, epochs, assignments, target); members that left and
// deleted groups leave tombstones that replay as gone.
#include <boost/test/unit_test.hpp>

#include "services/group-coordinator/consumer/consumer_group_store.h"
#include "services/group-coordinator/group_shard.h"
#include "services/group-coordinator/records/consumer_group_records.h"
#include "tests/unit/group-coordinator/fake_record_log.h"

using namespace sluice::group_coordinator;
using namespace std::chrono_literals;
using sluice::protocol::uuid;

namespace {

int code_of(error_code e) { return static_cast<int>(e); }

uuid id_of(int n) {
  uuid id{};
  id.bytes[15] = std::byte(n);
  return id;
}

std::string bytes(std::initializer_list<int> v) {
  std::string out;
  for (int b : v) out.push_back(static_cast<char>(b));
  return out;
}

using fake_log = test::fake_record_log;

std::size_t count(const member_assignment& a) {
  std::size_t n = 0;
  for (const auto& [t, ps] : a) n += ps.size();
  return n;
}

/// A member joining group "g" on topic "orders" (the heartbeat left to the test to send).
consumer_heartbeat joining(const std::string& member) {
  consumer_heartbeat hb;
  hb.member_id = member;
  hb.client_generates_member_id = true;
  hb.subscribed_topic_names = std::vector<std::string>{"orders"};
  return hb;
}

struct shard_fixture {
  group_options options;
  topic_catalog topics;
  time_point now{};
  fake_log log;
  std::unique_ptr<group_shard> shard;

  shard_fixture() {
    topics.add("orders", id_of(1), 6);
    shard = std::make_unique<group_shard>(3, 1, options, log);
  }

  /// A heartbeat, answered only once its records are durable.
  consumer_heartbeat_result beat(const std::string& member, std::int32_t epoch,
                                 std::optional<member_assignment> owned = std::nullopt,
                                 std::optional<std::string> instance_id = std::nullopt) {
    consumer_heartbeat hb;
    hb.member_id = member;
    hb.member_epoch = epoch;
    hb.instance_id = std::move(instance_id);
    hb.client_generates_member_id = true;
    hb.client_id = "client-" + member;
    hb.client_host = "/10.0.0.1";
    if (epoch == 0) {
      hb.subscribed_topic_names = std::vector<std::string>{"orders"};
      hb.rebalance_timeout_ms = 30000;
      hb.server_assignor = "range";
    }
    hb.owned = std::move(owned);
    std::optional<consumer_heartbeat_result> result;
    shard->consumer_group_heartbeat("g", std::move(hb), topics, now, [&](consumer_heartbeat_result r) { result = r; });
    log.complete_all();
    BOOST_REQUIRE(result);
    return *result;
  }

  /// a and b, three partitions each, both at the assignment epoch.
  void stable_pair() {
    auto a = beat("a", 0);
    beat("b", 0);
    auto a2 = beat("a", 1, *a.assignment);  // told to give three up
    beat("a", 1, *a2.assignment);           // confirms: epoch 2
    beat("b", 2, member_assignment{});      // gets the three released
    BOOST_REQUIRE(std::string(shard->consumer("g")->state_name()) == "Stable");
  }

  std::unique_ptr<group_shard> replay(fake_log& into) {
    auto replayed = std::make_unique<group_shard>(3, 2, options, into);
    for (const auto& r : log.written)
      replayed->apply(r.key, r.value ? std::optional<std::string_view>(*r.value) : std::nullopt, topics, now);
    return replayed;
  }
};

void check_same(const consumer_group& a, const consumer_group& b) {
  BOOST_TEST(a.group_epoch() == b.group_epoch());
  BOOST_TEST(a.assignment_epoch() == b.assignment_epoch());
  BOOST_TEST(a.assignor() == b.assignor());
  BOOST_TEST(std::string(a.state_name()) == std::string(b.state_name()));
  BOOST_TEST((a.target() == b.target()));
  BOOST_TEST((a.partition_counts() == b.partition_counts()));
  BOOST_REQUIRE(a.members().size() == b.members().size());
  for (const auto& [id, m] : a.members()) {
    BOOST_REQUIRE(b.members().count(id));
    const auto& r = b.members().at(id);
    BOOST_TEST(r.member_id == id);
    BOOST_TEST(r.member_epoch == m.member_epoch);
    BOOST_TEST(r.previous_epoch == m.previous_epoch);
    BOOST_TEST((r.assigned == m.assigned));
    BOOST_TEST((r.revoking == m.revoking));
    BOOST_TEST((r.instance_id == m.instance_id));
    BOOST_TEST(r.client_id == m.client_id);
    BOOST_TEST(r.client_host == m.client_host);
    BOOST_TEST((r.subscribed_topics == m.subscribed_topics));
    BOOST_TEST((r.server_assignor == m.server_assignor));
    BOOST_TEST(r.rebalance_timeout_ms == m.rebalance_timeout_ms);
  }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(consumer_group_record_formats)

BOOST_AUTO_TEST_CASE(keys_carry_kafkas_versions_and_round_trip) {
  // ConsumerGroupMemberMetadataKey: int16 5, string group, string member.
  BOOST_TEST(encode_key(consumer_member_key{"g", "m"}) == bytes({0, 5, 0, 1, 'g', 0, 1, 'm'}));
  BOOST_TEST(encode_key(consumer_group_epoch_key{"g"}) == bytes({0, 3, 0, 1, 'g'}));
  BOOST_TEST(encode_key(consumer_partition_metadata_key{"g"}) == bytes({0, 4, 0, 1, 'g'}));
  BOOST_TEST(encode_key(consumer_target_epoch_key{"g"}) == bytes({0, 6, 0, 1, 'g'}));
  BOOST_TEST(encode_key(consumer_target_member_key{"g", "m"}) == bytes({0, 7, 0, 1, 'g', 0, 1, 'm'}));
  BOOST_TEST(encode_key(consumer_current_assignment_key{"g", "m"}) == bytes({0, 8, 0, 1, 'g', 0, 1, 'm'}));

  auto member = decode_consumer_key(encode_key(consumer_current_assignment_key{"grp", "mem"}));
  BOOST_REQUIRE(std::holds_alternative<consumer_current_assignment_key>(member));
  BOOST_TEST(std::get<consumer_current_assignment_key>(member).group == "grp");
  BOOST_TEST(std::get<consumer_current_assignment_key>(member).member_id == "mem");
  BOOST_TEST(std::holds_alternative<consumer_target_member_key>(decode_consumer_key(encode_key(consumer_target_member_key{"g", "m"}))));
  BOOST_TEST(std::holds_alternative<consumer_member_key>(decode_consumer_key(encode_key(consumer_member_key{"g", "m"}))));
  BOOST_TEST(std::holds_alternative<consumer_group_epoch_key>(decode_consumer_key(encode_key(consumer_group_epoch_key{"g"}))));
  BOOST_TEST(std::holds_alternative<consumer_target_epoch_key>(decode_consumer_key(encode_key(consumer_target_epoch_key{"g"}))));
  BOOST_TEST(std::holds_alternative<consumer_partition_metadata_key>(
      decode_consumer_key(encode_key(consumer_partition_metadata_key{"g"}))));
  // Offset and classic group keys are not ours.
  BOOST_TEST(std::holds_alternative<std::monostate>(decode_consumer_key(encode_key(group_key{"g"}))));
}

BOOST_AUTO_TEST_CASE(epoch_values_are_flexible_version_0) {
  // int16 version 0, int32 epoch, empty tagged fields.
  BOOST_TEST(encode_group_epoch_value(5) == bytes({0, 0, 0, 0, 0, 5, 0}));
  BOOST_TEST(decode_group_epoch_value(encode_group_epoch_value(7)) == 7);
  BOOST_TEST(decode_target_epoch_value(encode_target_epoch_value(9)) == 9);
  // A tagged field we do not know is skipped.
  BOOST_TEST(decode_group_epoch_value(bytes({0, 0, 0, 0, 0, 4, 1, 9, 2, 'x', 'y'})) == 4);
  BOOST_CHECK_THROW(decode_group_epoch_value(bytes({0, 1, 0, 0, 0, 4, 0})), sluice::protocol::decode_error);
  BOOST_CHECK_THROW(decode_group_epoch_value(bytes({0, 0, 0, 0})), sluice::protocol::decode_error);
}

BOOST_AUTO_TEST_CASE(current_assignment_layout_and_round_trip) {
  consumer_current_assignment_value v;
  v.member_epoch = 3;
  v.previous_member_epoch = 2;
  v.state = consumer_member_state::unrevoked_partitions;
  v.assigned = {{id_of(1), {0, 2}}};
  v.pending_revocation = {};
  const std::string encoded = encode_value(v);
  std::string expected = bytes({0, 0, 0, 0, 0, 3, 0, 0, 0, 2, 1, /*assigned: 1 topic*/ 2});
  expected += std::string(reinterpret_cast<const char*>(id_of(1).bytes.data()), 16);
  expected += bytes({/*2 partitions*/ 3, 0, 0, 0, 0, 0, 0, 0, 2, /*topic tags*/ 0, /*revoking: empty*/ 1, /*tags*/ 0});
  BOOST_TEST(encoded == expected);

  v.pending_revocation = {{id_of(2), {5}}};
  auto back = decode_current_assignment_value(encode_value(v));
  BOOST_TEST(back.member_epoch == 3);
  BOOST_TEST(back.previous_member_epoch == 2);
  BOOST_TEST(static_cast<int>(back.state) == 1);
  BOOST_REQUIRE(back.assigned.size() == 1u);
  BOOST_TEST((back.assigned[0].first == id_of(1)));
  BOOST_TEST((back.assigned[0].second == std::vector<std::int32_t>{0, 2}));
  BOOST_REQUIRE(back.pending_revocation.size() == 1u);
  BOOST_TEST((back.pending_revocation[0].first == id_of(2)));
  BOOST_TEST((back.pending_revocation[0].second == std::vector<std::int32_t>{5}));
}

BOOST_AUTO_TEST_CASE(member_metadata_round_trip) {
  consumer_member_value v;
  v.instance_id = "static-1";
  v.rack_id = std::nullopt;
  v.client_id = "c";
  v.client_host = "/1.2.3.4";
  v.subscribed_topic_names = {"a", "b"};
  v.subscribed_topic_regex = std::nullopt;
  v.rebalance_timeout_ms = 45000;
  v.server_assignor = "uniform";
  const std::string encoded = encode_value(v);
  // version, instance id (compact: len+1), null rack (0), client id, host...
  BOOST_TEST(encoded.substr(0, 13) == bytes({0, 0, 9, 's', 't', 'a', 't', 'i', 'c', '-', '1', 0, 2}));
  auto back = decode_member_value(encoded);
  BOOST_TEST((back.instance_id == v.instance_id));
  BOOST_TEST(!back.rack_id);
  BOOST_TEST(back.client_id == "c");
  BOOST_TEST(back.client_host == "/1.2.3.4");
  BOOST_TEST((back.subscribed_topic_names == v.subscribed_topic_names));
  BOOST_TEST(!back.subscribed_topic_regex);
  BOOST_TEST(back.rebalance_timeout_ms == 45000);
  BOOST_TEST((back.server_assignor == v.server_assignor));
  // Truncated: refused, never read past the end.
  BOOST_CHECK_THROW(decode_member_value(encoded.substr(0, encoded.size() - 3)), sluice::protocol::decode_error);
}

BOOST_AUTO_TEST_CASE(target_and_partition_metadata_round_trip) {
  topic_id_partitions target{{id_of(1), {1, 4}}, {id_of(2), {}}};
  auto back = decode_target_member_value(encode_target_member_value(target));
  BOOST_TEST((back == target));

  std::vector<consumer_topic_metadata> topics{{id_of(1), "orders", 6}, {id_of(2), "payments", 2}};
  auto meta = decode_partition_metadata_value(encode_partition_metadata_value(topics));
  BOOST_REQUIRE(meta.size() == 2u);
  BOOST_TEST((meta[1].id == id_of(2)));
  BOOST_TEST(meta[1].name == "payments");
  BOOST_TEST(meta[1].partitions == 2);
  // Kafka's deprecated per-partition racks are read past.
  std::string with_racks = bytes({0, 0, 2});
  with_racks += std::string(reinterpret_cast<const char*>(id_of(1).bytes.data()), 16);
  with_racks += bytes({2, 't', 0, 0, 0, 1, /*1 partition*/ 2, 0, 0, 0, 0, /*1 rack*/ 2, 3, 'r', '1', 0, 0, 0});
  auto racks = decode_partition_metadata_value(with_racks);
  BOOST_REQUIRE(racks.size() == 1u);
  BOOST_TEST(racks[0].name == "t");
  BOOST_TEST(racks[0].partitions == 1);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(consumer_group_durability)

BOOST_FIXTURE_TEST_CASE(a_join_is_answered_once_durable, shard_fixture) {
  consumer_heartbeat hb = joining("a");
  std::optional<consumer_heartbeat_result> result;
  shard->consumer_group_heartbeat("g", hb, topics, now, [&](consumer_heartbeat_result r) { result = r; });
  BOOST_TEST(!result);
  BOOST_TEST(!shard->consumer("g"));  // a new group does not exist before its write is durable
  // A second join waits behind the first write.
  auto hb2 = hb;
  hb2.member_id = "b";
  std::optional<consumer_heartbeat_result> second;
  shard->consumer_group_heartbeat("g", hb2, topics, now, [&](consumer_heartbeat_result r) { second = r; });
  BOOST_TEST(log.pending.size() == 1u);
  log.complete_all();
  BOOST_REQUIRE(result);
  BOOST_REQUIRE(second);
  BOOST_TEST(result->member_epoch == 1);
  BOOST_TEST(second->member_epoch == 2);
  BOOST_TEST(shard->consumer("g")->members().size() == 2u);
  // A plain heartbeat writes nothing (the first one here brings b's client id).
  beat("b", 2, member_assignment{});
  const auto written = log.written.size();
  beat("b", 2, member_assignment{});
  BOOST_TEST(log.written.size() == written);
}

BOOST_FIXTURE_TEST_CASE(a_failed_write_changes_nothing, shard_fixture) {
  consumer_heartbeat hb = joining("a");
  std::optional<consumer_heartbeat_result> result;
  shard->consumer_group_heartbeat("g", hb, topics, now, [&](consumer_heartbeat_result r) { result = r; });
  log.complete_all(error_code::not_coordinator);
  BOOST_REQUIRE(result);
  BOOST_TEST(code_of(result->error) == code_of(error_code::not_coordinator));
  BOOST_TEST(!shard->consumer("g"));  // a new group whose first write failed never came to be
  // A record too large for the log is Kafka's UNKNOWN_SERVER_ERROR.
  shard->consumer_group_heartbeat("g", hb, topics, now, [&](consumer_heartbeat_result r) { result = r; });
  log.complete_all(error_code::invalid_commit_offset_size);
  BOOST_TEST(code_of(result->error) == code_of(error_code::unknown_server_error));
}

BOOST_FIXTURE_TEST_CASE(an_empty_classic_group_keeps_its_id_until_the_new_group_is_durable, shard_fixture) {
  // An empty classic group "g", as the log holds it.
  group_value empty_classic;
  empty_classic.protocol_type = "consumer";
  empty_classic.generation = 3;
  shard->apply(encode_key(group_key{"g"}), encode_value(empty_classic), topics, now);
  BOOST_REQUIRE(shard->classic("g"));
  std::optional<consumer_heartbeat_result> result;
  shard->consumer_group_heartbeat("g", joining("a"), topics, now, [&](consumer_heartbeat_result r) { result = r; });
  BOOST_TEST(shard->classic("g"));  // still the group while the write is under way
  log.complete_all(error_code::not_coordinator);
  BOOST_REQUIRE(result);
  BOOST_TEST(code_of(result->error) == code_of(error_code::not_coordinator));
  BOOST_TEST(!shard->consumer("g"));
  BOOST_REQUIRE(shard->classic("g"));  // memory still matches the log
  BOOST_TEST(shard->classic("g")->generation() == 3);
  // Once a write is durable, the KIP-848 group takes the id.
  result.reset();
  shard->consumer_group_heartbeat("g", joining("a"), topics, now, [&](consumer_heartbeat_result r) { result = r; });
  log.complete_all();
  BOOST_REQUIRE(result);
  BOOST_TEST(code_of(result->error) == code_of(error_code::none));
  BOOST_TEST(!shard->classic("g"));
  BOOST_REQUIRE(shard->consumer("g"));
  BOOST_TEST(shard->consumer("g")->members().size() == 1u);
}

BOOST_FIXTURE_TEST_CASE(a_stable_group_replays_with_its_members_epochs_and_assignments, shard_fixture) {
  stable_pair();
  const auto& live = *shard->consumer("g");
  BOOST_TEST(live.group_epoch() == 2);
  BOOST_TEST(live.assignor() == "range");
  fake_log other;
  auto replayed = replay(other);
  const auto* back = replayed->consumer("g");
  BOOST_REQUIRE(back);
  check_same(live, *back);
  BOOST_TEST(count(back->members().at("a").assigned) == 3u);
  BOOST_TEST(count(back->members().at("b").assigned) == 3u);

  // The members carry on with the new owner (on the same log): same ids
  // and epochs, nothing to rewrite.
  const auto a_owns = live.members().at("a").assigned;
  const auto written = log.written.size();
  shard = replay(log);
  auto a = beat("a", 2, a_owns);
  BOOST_TEST(code_of(a.error) == code_of(error_code::none));
  BOOST_TEST(a.member_epoch == 2);
  BOOST_TEST(log.written.size() == written);
}

BOOST_FIXTURE_TEST_CASE(a_member_mid_revocation_replays_revoking, shard_fixture) {
  auto a = beat("a", 0);
  beat("b", 0);
  beat("a", 1, *a.assignment);  // a must give three up
  const auto& live = *shard->consumer("g");
  BOOST_TEST(count(live.members().at("a").revoking) == 3u);
  fake_log other;
  auto replayed = replay(other);
  BOOST_REQUIRE(replayed->consumer("g"));
  check_same(live, *replayed->consumer("g"));
  BOOST_TEST(std::string(replayed->consumer("g")->state_name()) == "Reconciling");
}

BOOST_FIXTURE_TEST_CASE(a_member_that_left_is_gone_after_replay, shard_fixture) {
  stable_pair();
  const auto before = log.written.size();
  auto left = beat("b", -1);
  BOOST_TEST(code_of(left.error) == code_of(error_code::none));
  // b's three records are tombstoned.
  int tombstones = 0;
  for (std::size_t i = before; i < log.written.size(); ++i) {
    const auto& r = log.written[i];
    auto k = decode_consumer_key(r.key);
    if (const auto* m = std::get_if<consumer_member_key>(&k); m && m->member_id == "b") tombstones += !r.value;
    if (const auto* m = std::get_if<consumer_target_member_key>(&k); m && m->member_id == "b") tombstones += !r.value;
    if (const auto* m = std::get_if<consumer_current_assignment_key>(&k); m && m->member_id == "b") tombstones += !r.value;
  }
  BOOST_TEST(tombstones == 3);
  fake_log other;
  auto replayed = replay(other);
  const auto* back = replayed->consumer("g");
  BOOST_REQUIRE(back);
  BOOST_TEST(back->members().count("b") == 0u);
  BOOST_TEST(back->target().count("b") == 0u);
  check_same(*shard->consumer("g"), *back);
  BOOST_TEST(back->group_epoch() == 3);
}

BOOST_FIXTURE_TEST_CASE(session_expiry_in_tick_is_written, shard_fixture) {
  stable_pair();
  beat("a", 2, shard->consumer("g")->members().at("a").assigned);
  now += options.consumer_session_timeout + 1ms;  // both sessions are over
  shard->tick(topics, now);
  BOOST_TEST(shard->consumer("g")->members().size() == 2u);  // not before the write is durable
  log.complete_all();
  BOOST_TEST(shard->consumer("g")->empty());
  fake_log other;
  auto replayed = replay(other);
  BOOST_REQUIRE(replayed->consumer("g"));
  BOOST_TEST(replayed->consumer("g")->empty());
  BOOST_TEST(replayed->consumer("g")->group_epoch() == shard->consumer("g")->group_epoch());
}

BOOST_FIXTURE_TEST_CASE(a_static_member_away_replays_with_epoch_minus_2, shard_fixture) {
  auto a = beat("a", 0, std::nullopt, "static-a");
  BOOST_TEST(beat("a", 1, *a.assignment).member_epoch == 1);
  beat("a", -2);
  const auto& live = *shard->consumer("g");
  BOOST_TEST(live.members().at("a").member_epoch == static_leave_epoch);
  fake_log other;
  auto replayed = replay(other);
  BOOST_REQUIRE(replayed->consumer("g"));
  check_same(live, *replayed->consumer("g"));
  BOOST_TEST(*replayed->consumer("g")->members().at("a").instance_id == "static-a");
  // The instance comes back under a new id and takes its partitions over.
  shard = replay(log);
  auto back = beat("a2", 0, std::nullopt, "static-a");
  BOOST_TEST(code_of(back.error) == code_of(error_code::none));
  BOOST_REQUIRE(back.assignment);
  BOOST_TEST(count(*back.assignment) == 6u);
}

BOOST_FIXTURE_TEST_CASE(deleting_an_empty_group_writes_its_tombstones, shard_fixture) {
  auto a = beat("a", 0);
  beat("a", -1);
  BOOST_TEST(shard->consumer("g")->empty());
  std::optional<error_code> deleted;
  shard->delete_group("g", [&](error_code e) { deleted = e; });
  log.complete_all();
  BOOST_REQUIRE(deleted);
  BOOST_TEST(code_of(*deleted) == code_of(error_code::none));
  BOOST_TEST(!shard->exists("g"));
  bool epoch_tombstone = false;
  for (const auto& r : log.written)
    if (std::holds_alternative<consumer_group_epoch_key>(decode_consumer_key(r.key)) && !r.value) epoch_tombstone = true;
  BOOST_TEST(epoch_tombstone);
  fake_log other;
  auto replayed = replay(other);
  BOOST_TEST(!replayed->exists("g"));
  BOOST_TEST(replayed->list().empty());
}

BOOST_FIXTURE_TEST_CASE(a_group_is_not_deleted_while_a_member_joins, shard_fixture) {
  consumer_heartbeat hb = joining("a");
  shard->consumer_group_heartbeat("g", hb, topics, now, [](consumer_heartbeat_result) {});
  std::optional<error_code> deleted;
  shard->delete_group("g", [&](error_code e) { deleted = e; });
  BOOST_REQUIRE(deleted);
  BOOST_TEST(code_of(*deleted) == code_of(error_code::non_empty_group));
  log.complete_all();
  BOOST_TEST(shard->consumer("g")->members().size() == 1u);
}

BOOST_FIXTURE_TEST_CASE(closing_answers_waiting_heartbeats, shard_fixture) {
  consumer_heartbeat hb = joining("a");
  std::vector<int> answers;
  shard->consumer_group_heartbeat("g", hb, topics, now, [&](consumer_heartbeat_result r) { answers.push_back(code_of(r.error)); });
  hb.member_id = "b";
  shard->consumer_group_heartbeat("g", hb, topics, now, [&](consumer_heartbeat_result r) { answers.push_back(code_of(r.error)); });
  shard->close();
  BOOST_TEST(answers.size() == 2u);
  for (int e : answers) BOOST_TEST(e == code_of(error_code::not_coordinator));
  log.complete_all();  // late completions answer nothing more
  BOOST_TEST(answers.size() == 2u);
}

BOOST_AUTO_TEST_SUITE_END()
