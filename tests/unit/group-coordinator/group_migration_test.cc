// KIP-848 online migration in a shard over a fake log: a classic group with
// members upgraded by a ConsumerGroupHeartbeat, its classic member served
// inside the KIP-848 group (JoinGroup, SyncGroup, Heartbeat, LeaveGroup),
// the group downgraded when its last ConsumerGroupHeartbeat member leaves,
// the migration policy, the records written (the old group's tombstones,
// the new group's records) and their replay, and offsets kept throughout.
#include <boost/test/unit_test.hpp>

#include "common/protocol/data/consumer_protocol_subscription.h"
#include "common/protocol/versioned_data.h"
#include "services/group-coordinator/classic/consumer_protocol.h"
#include "services/group-coordinator/group_shard.h"
#include "services/group-coordinator/records/consumer_group_records.h"
#include "services/group-coordinator/records/offsets_records.h"
#include "tests/unit/group-coordinator/shard_test_util.h"

using namespace sluice::group_coordinator;
using namespace sluice::group_coordinator::test;

namespace {

/// A shard whose group "g" has one classic member, stable in generation 1
/// and owning all four partitions of "orders", with an offset committed.
struct migration_fixture : shard_fixture {
  topic_catalog topics = orders_catalog();
  std::string classic_id;

  migration_fixture() {
    options.initial_rebalance_delay = std::chrono::milliseconds(0);
    shard.join_group("g", classic_join(""), topics, {}, [&](join_result r) { classic_id = r.member_id; });
    sync_request s;
    s.member_id = classic_id;
    s.generation = 1;
    s.assignments = {{classic_id, encode_assignment({{"orders", {0, 1, 2, 3}}})}};
    shard.sync_group("g", s, topics, {}, [](sync_result) {});
    shard.commit("g", {{{"orders", 0}, at(42)}}, [](error_code) {});
    log.complete_all();
  }

  static join_request classic_join(std::string member_id) {
    auto j = dynamic_join(encode_subscription({"orders"}));
    j.member_id = std::move(member_id);
    return j;
  }

  consumer_heartbeat_result kip848(consumer_heartbeat hb) {
    std::optional<consumer_heartbeat_result> out;
    shard.consumer_group_heartbeat("g", std::move(hb), topics, {}, [&](consumer_heartbeat_result r) { out = r; });
    log.complete_all();
    BOOST_REQUIRE(out);
    return *out;
  }

  join_result rejoin(const std::string& member) {
    std::optional<join_result> out;
    shard.join_group("g", classic_join(member), topics, {}, [&](join_result r) { out = r; });
    log.complete_all();
    BOOST_REQUIRE(out);
    return *out;
  }

  sync_result sync(const std::string& member, std::int32_t generation) {
    sync_request s;
    s.member_id = member;
    s.generation = generation;
    std::optional<sync_result> out;
    shard.sync_group("g", s, topics, {}, [&](sync_result r) { out = r; });
    log.complete_all();
    BOOST_REQUIRE(out);
    return *out;
  }

  error_code beat(const std::string& member, std::int32_t generation) {
    std::optional<error_code> out;
    shard.heartbeat("g", {member, std::nullopt}, generation, topics, {}, [&](error_code e) { out = e; });
    log.complete_all();
    BOOST_REQUIRE(out);
    return *out;
  }

  /// Upgrades "g" with KIP-848 member "b" and brings both members to the
  /// new epoch with two partitions each.
  void mixed_group() {
    auto joined = kip848(joining_member("b"));
    BOOST_REQUIRE(code_of(joined.error) == code_of(error_code::none));
    BOOST_REQUIRE(beat(classic_id, 1) == error_code::rebalance_in_progress);
    auto j = rejoin(classic_id);
    BOOST_REQUIRE(code_of(j.error) == code_of(error_code::none));
    BOOST_REQUIRE(j.generation == 2);
    auto s = sync(classic_id, 2);
    BOOST_REQUIRE(code_of(s.error) == code_of(error_code::none));
    auto hb = joining_member("b");
    hb.member_epoch = joined.member_epoch;
    hb.owned = member_assignment{};
    auto caught_up = kip848(hb);
    BOOST_REQUIRE(caught_up.assignment);
  }

  std::size_t written_before = 0;
  /// The records written since the last call.
  std::vector<record_log::record> new_records() {
    std::vector<record_log::record> out(log.written.begin() + written_before, log.written.end());
    written_before = log.written.size();
    return out;
  }
};

std::size_t total(const member_assignment& a) {
  std::size_t n = 0;
  for (const auto& [t, ps] : a) n += ps.size();
  return n;
}

bool is_classic_tombstone(const record_log::record& r) {
  auto k = decode_key(r.key);
  return std::holds_alternative<group_key>(k) && !r.value;
}

/// `written`'s records replayed into a fresh shard.
struct replayed {
  fake_record_log log;
  group_shard shard;
  replayed(const fake_record_log& written, const group_options& options, const topic_catalog& topics)
      : shard(0, 1, options, log) {
    for (const auto& r : written.written)
      shard.apply(r.key, r.value ? std::optional<std::string_view>(*r.value) : std::nullopt, topics, {});
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(group_migration)

BOOST_FIXTURE_TEST_CASE(a_kip848_member_upgrades_a_classic_group_with_members, migration_fixture) {
  new_records();
  auto joined = kip848(joining_member("b"));
  BOOST_TEST(code_of(joined.error) == code_of(error_code::none));
  BOOST_TEST(!shard.classic("g"));
  const auto* g = shard.consumer("g");
  BOOST_REQUIRE(g);
  BOOST_TEST(g->group_epoch() == 2);  // the classic generation, then the joining member's epoch
  BOOST_REQUIRE(g->members().count(classic_id));
  const auto& a = g->members().at(classic_id);
  BOOST_REQUIRE(a.classic);
  BOOST_TEST(a.classic->session_timeout_ms == 10000);
  BOOST_TEST(a.member_epoch == 1);
  BOOST_TEST(total(a.assigned) == 4u);  // still owns what the leader gave it
  BOOST_TEST(total(g->target().at(classic_id)) == 2u);
  BOOST_TEST(total(*joined.assignment) == 0u);  // waits for the classic member to let go
  BOOST_TEST(shard.offsets("g")->at({"orders", 0}).offset == 42);

  // Kafka's records: the classic group's tombstone, then the KIP-848 group's.
  auto written = new_records();
  BOOST_REQUIRE(!written.empty());
  BOOST_TEST(is_classic_tombstone(written.front()));
  auto member_record = std::find_if(written.begin(), written.end(), [&](const auto& r) {
    auto k = decode_consumer_key(r.key);
    auto* mk = std::get_if<consumer_member_key>(&k);
    return mk && mk->member_id == classic_id;
  });
  BOOST_REQUIRE(member_record != written.end());
  auto value = decode_member_value(*member_record->value);
  BOOST_REQUIRE(value.classic);
  BOOST_TEST(value.classic->protocols.at(0).first == "range");

  // Replayed, the group is the same KIP-848 group, classic member included.
  replayed other(log, options, topics);
  BOOST_TEST(!other.shard.classic("g"));
  const auto* back = other.shard.consumer("g");
  BOOST_REQUIRE(back);
  BOOST_TEST(back->group_epoch() == 2);
  BOOST_REQUIRE(back->members().count(classic_id));
  BOOST_TEST((back->members().at(classic_id).classic == a.classic));
  BOOST_TEST((back->members().at(classic_id).assigned == a.assigned));
}

BOOST_FIXTURE_TEST_CASE(the_classic_member_rejoins_and_the_partitions_are_shared, migration_fixture) {
  auto joined = kip848(joining_member("b"));
  // Its heartbeat tells the classic member to rejoin; its old generation still counts.
  BOOST_TEST(code_of(beat(classic_id, 1)) == code_of(error_code::rebalance_in_progress));
  BOOST_TEST(code_of(beat(classic_id, 7)) == code_of(error_code::illegal_generation));
  BOOST_TEST(code_of(beat("nobody", 1)) == code_of(error_code::unknown_member_id));
  BOOST_TEST(code_of(beat("b", joined.member_epoch)) == code_of(error_code::unknown_member_id));  // not a classic member

  // An eager member rejoins owning nothing: it is at the new epoch at once.
  auto j = rejoin(classic_id);
  BOOST_TEST(code_of(j.error) == code_of(error_code::none));
  BOOST_TEST(j.generation == 2);
  BOOST_TEST(j.protocol_type == "consumer");
  BOOST_TEST(j.protocol_name.value_or("") == "range");
  BOOST_TEST(j.leader == "");  // no leader: the assignment is the coordinator's
  auto s = sync(classic_id, 2);
  BOOST_TEST(code_of(s.error) == code_of(error_code::none));
  auto mine = decode_assignment(s.assignment);
  BOOST_REQUIRE(mine);
  BOOST_TEST(total(*mine) == 2u);
  BOOST_TEST(code_of(beat(classic_id, 2)) == code_of(error_code::none));
  BOOST_TEST(code_of(shard.consumer("g")->validate_commit(classic_id, 1)) == code_of(error_code::illegal_generation));
  BOOST_TEST(code_of(shard.consumer("g")->validate_commit(classic_id, 2)) == code_of(error_code::none));

  // The KIP-848 member gets the other two.
  auto hb = joining_member("b");
  hb.member_epoch = joined.member_epoch;
  auto b = kip848(hb);
  BOOST_REQUIRE(b.assignment);
  BOOST_TEST(total(*b.assignment) == 2u);
  for (const auto& [t, ps] : *b.assignment)
    for (auto p : ps) BOOST_TEST(!assignments_overlap(*mine, {{t, {p}}}));
  BOOST_TEST(std::string(shard.consumer("g")->state_name()) == "Stable");
}

BOOST_FIXTURE_TEST_CASE(a_cooperative_member_keeps_its_epoch_until_it_has_revoked, migration_fixture) {
  auto joined = kip848(joining_member("b"));
  // It rejoins still owning all four partitions (subscription v1).
  auto owning = [&](std::vector<std::int32_t> partitions) {
    sluice::protocol::consumer_protocol_subscription sub;
    sub.topics = {"orders"};
    sub.owned_partitions.push_back({.topic = "orders", .partitions = std::move(partitions)});
    auto j = classic_join(classic_id);
    j.protocols = {{"range", sluice::protocol::encode_versioned(sub, 1)}};
    std::optional<join_result> out;
    shard.join_group("g", j, topics, {}, [&](join_result r) { out = r; });
    log.complete_all();
    BOOST_REQUIRE(out);
    return *out;
  };
  auto first = owning({0, 1, 2, 3});
  BOOST_TEST(code_of(first.error) == code_of(error_code::none));
  BOOST_TEST(first.generation == 1);  // two partitions to give up first
  auto kept = decode_assignment(sync(classic_id, 1).assignment);
  BOOST_REQUIRE(kept);
  BOOST_TEST(total(*kept) == 2u);
  BOOST_TEST(code_of(beat(classic_id, 1)) == code_of(error_code::rebalance_in_progress));
  // The KIP-848 member still waits for them.
  auto hb = joining_member("b");
  hb.member_epoch = joined.member_epoch;
  auto waiting = kip848(hb);
  BOOST_TEST((!waiting.assignment || total(*waiting.assignment) == 0u));
  // Revoked: it rejoins with what it kept and reaches the new epoch.
  auto second = owning(kept->at("orders"));
  BOOST_TEST(second.generation == 2);
  auto now_free = kip848(hb);
  BOOST_REQUIRE(now_free.assignment);
  BOOST_TEST(total(*now_free.assignment) == 2u);
}

BOOST_FIXTURE_TEST_CASE(a_classic_member_without_the_groups_protocol_is_refused, migration_fixture) {
  kip848(joining_member("b"));
  auto j = classic_join("");
  j.protocols = {{"cooperative-sticky", encode_subscription({"orders"})}};
  std::optional<join_result> out;
  shard.join_group("g", j, topics, {}, [&](join_result r) { out = r; });
  log.complete_all();
  BOOST_REQUIRE(out);
  BOOST_TEST(code_of(out->error) == code_of(error_code::inconsistent_group_protocol));
}

BOOST_FIXTURE_TEST_CASE(the_last_kip848_member_leaving_downgrades_the_group, migration_fixture) {
  mixed_group();
  const std::int32_t epoch = shard.consumer("g")->group_epoch();
  new_records();
  auto leave = joining_member("b");
  leave.member_epoch = -1;
  BOOST_TEST(code_of(kip848(leave).error) == code_of(error_code::none));
  BOOST_TEST(!shard.consumer("g"));
  const auto* g = shard.classic("g");
  BOOST_REQUIRE(g);
  BOOST_TEST(g->protocol_type() == "consumer");
  BOOST_TEST(g->members().size() == 1u);
  BOOST_TEST(g->members().count(classic_id) == 1u);
  BOOST_TEST(g->generation() == epoch + 1);  // the group epoch without the member that left
  BOOST_TEST(std::string(state_name(g->state())) == "PreparingRebalance");  // its members rejoin
  BOOST_TEST(shard.offsets("g")->at({"orders", 0}).offset == 42);

  // Records: the KIP-848 group's tombstones, then the GroupMetadata.
  auto written = new_records();
  BOOST_REQUIRE(written.size() >= 2u);
  BOOST_TEST(std::holds_alternative<group_key>(decode_key(written.back().key)));
  BOOST_TEST(written.back().value.has_value());
  for (std::size_t i = 0; i + 1 < written.size(); ++i) BOOST_TEST(!written[i].value.has_value());

  // The classic member rejoins the classic group and leads it.
  BOOST_TEST(code_of(beat(classic_id, epoch + 1)) == code_of(error_code::rebalance_in_progress));
  auto j = rejoin(classic_id);
  BOOST_TEST(code_of(j.error) == code_of(error_code::none));
  BOOST_TEST(j.leader == classic_id);
  BOOST_TEST(j.generation == epoch + 2);

  replayed other(log, options, topics);
  BOOST_TEST(!other.shard.consumer("g"));
  BOOST_REQUIRE(other.shard.classic("g"));
  BOOST_TEST(other.shard.classic("g")->members().count(classic_id) == 1u);
}

BOOST_FIXTURE_TEST_CASE(the_policy_can_forbid_either_way, migration_fixture) {
  options.consumer_migration = migration_policy::downgrade;
  auto refused = kip848(joining_member("b"));
  BOOST_TEST(code_of(refused.error) == code_of(error_code::group_id_not_found));
  BOOST_TEST(shard.classic("g"));
  BOOST_TEST(!shard.consumer("g"));

  options.consumer_migration = migration_policy::upgrade;
  mixed_group();
  auto leave = joining_member("b");
  leave.member_epoch = -1;
  kip848(leave);
  BOOST_TEST(!shard.classic("g"));  // stays a KIP-848 group of classic members
  BOOST_REQUIRE(shard.consumer("g"));
  BOOST_TEST(shard.consumer("g")->members().size() == 1u);
  // The classic member then leaves with LeaveGroup.
  std::optional<group_shard::leave_result> left;
  shard.leave_group("g", {{classic_id, std::nullopt}}, topics, {}, [&](group_shard::leave_result r) { left = r; });
  log.complete_all();
  BOOST_REQUIRE(left);
  BOOST_TEST(code_of(left->members.at(0)) == code_of(error_code::none));
  BOOST_TEST(shard.consumer("g")->empty());
}

BOOST_FIXTURE_TEST_CASE(empty_groups_change_protocol_with_tombstones, migration_fixture) {
  std::optional<group_shard::leave_result> left;
  shard.leave_group("g", {{classic_id, std::nullopt}}, topics, {}, [&](group_shard::leave_result r) { left = r; });
  log.complete_all();
  BOOST_REQUIRE(shard.classic("g"));
  BOOST_REQUIRE(shard.classic("g")->empty());
  options.consumer_migration = migration_policy::disabled;  // empty groups change whatever the policy
  new_records();
  auto joined = kip848(joining_member("b"));
  BOOST_TEST(code_of(joined.error) == code_of(error_code::none));
  BOOST_TEST(total(*joined.assignment) == 4u);
  BOOST_TEST(is_classic_tombstone(new_records().front()));

  // And back: the KIP-848 member leaves, a classic member joins the empty group.
  auto leave = joining_member("b");
  leave.member_epoch = -1;
  kip848(leave);
  BOOST_REQUIRE(shard.consumer("g"));
  new_records();
  rejoin("");
  BOOST_REQUIRE(shard.classic("g"));
  BOOST_TEST(!shard.consumer("g"));
  auto written = new_records();
  auto epoch_tombstone = std::find_if(written.begin(), written.end(), [](const auto& r) {
    return std::holds_alternative<consumer_group_epoch_key>(decode_consumer_key(r.key)) && !r.value;
  });
  BOOST_TEST((epoch_tombstone != written.end()));
  BOOST_TEST(shard.offsets("g")->at({"orders", 0}).offset == 42);
  replayed other(log, options, topics);
  BOOST_TEST(!other.shard.consumer("g"));
}

BOOST_AUTO_TEST_SUITE_END()
