// The classic group state machine with a fake clock, through a shard and a
// fake log: Empty -> PreparingRebalance -> CompletingRebalance -> Stable,
// member expiry, leaving, static members, generation and member checks, and
// a failed store.
#include <boost/test/unit_test.hpp>

#include <map>

#include "services/group-coordinator/group_shard.h"
#include "tests/unit/group-coordinator/fake_record_log.h"
#include "tests/unit/group-coordinator/shard_test_util.h"

using namespace sluice::group_coordinator;
using namespace std::chrono_literals;

namespace {

int code_of(error_code e) { return static_cast<int>(e); }

/// A classic group "g" served by a shard over a fake log: the tests see
/// what clients would, answers included only once the log has the
/// group's records.
struct fixture {
  group_options options;
  test::fake_record_log log;
  topic_catalog topics;
  time_point now{};
  std::unique_ptr<group_shard> shard;

  fixture() {
    options.initial_rebalance_delay = 0ms;
    options.min_session_timeout = 1000ms;
    shard = std::make_unique<group_shard>(0, 1, options, log);
  }

  const classic_group& group() const {
    const auto* g = shard->classic("g");
    BOOST_REQUIRE(g);
    return *g;
  }

  join_request join_req(std::string member_id, std::string metadata = "m") {
    join_request r;
    r.member_id = std::move(member_id);
    r.client_id = "client";
    r.client_host = "/127.0.0.1";
    r.session_timeout_ms = 10000;
    r.rebalance_timeout_ms = 30000;
    r.protocol_type = "consumer";
    r.protocols = {{"range", metadata}};
    r.require_known_member = true;
    return r;
  }

  /// Joins; the result lands in `out` when the group answers.
  void join(join_request r, std::optional<join_result>& out) {
    shard->join_group("g", std::move(r), test::no_topics(), now, [&out](join_result res) { out = std::move(res); });
  }

  /// A new member: MEMBER_ID_REQUIRED first, then the real join.
  std::string new_member(std::optional<join_result>& out) {
    std::optional<join_result> first;
    join(join_req(""), first);
    BOOST_REQUIRE(first);
    BOOST_TEST(static_cast<int>(first->error) == static_cast<int>(error_code::member_id_required));
    const std::string id = first->member_id;
    join(join_req(id), out);
    return id;
  }

  /// A join the group answers at once.
  join_result join_now(join_request r) {
    std::optional<join_result> out;
    join(std::move(r), out);
    BOOST_REQUIRE(out);
    return *out;
  }

  join_request static_req(const std::string& instance_id) {
    auto r = join_req("");
    r.instance_id = instance_id;
    return r;
  }

  /// One member alone in a stable generation 1, assigned "x".
  std::string stable_member() {
    std::optional<join_result> joined;
    const auto id = new_member(joined);
    sync_stored(id, 1, {{id, "x"}});
    return id;
  }

  /// Syncs; the result lands in `out` when the group answers.
  void sync(const std::string& member, std::int32_t generation, std::map<std::string, std::string> assignments,
            std::optional<sync_result>& out, std::optional<std::string> instance_id = std::nullopt) {
    sync_request s;
    s.member_id = member;
    s.instance_id = std::move(instance_id);
    s.generation = generation;
    s.assignments = std::move(assignments);
    shard->sync_group("g", std::move(s), test::no_topics(), now, [&out](sync_result r) { out = std::move(r); });
  }

  /// A sync answered at once (no write needed).
  sync_result sync_now(const std::string& member, std::int32_t generation,
                       std::optional<std::string> instance_id = std::nullopt) {
    std::optional<sync_result> out;
    sync(member, generation, {}, out, std::move(instance_id));
    BOOST_REQUIRE(out);
    return *out;
  }

  /// The leader's sync, written and answered.
  void sync_stored(const std::string& leader, std::int32_t generation, std::map<std::string, std::string> assignments) {
    std::optional<sync_result> out;
    sync(leader, generation, std::move(assignments), out);
    log.complete_all();
    BOOST_REQUIRE(out);
  }

  error_code heartbeat(const std::string& member, std::int32_t generation,
                       std::optional<std::string> instance_id = std::nullopt) {
    std::optional<error_code> out;
    shard->heartbeat("g", {member, std::move(instance_id)}, generation, test::no_topics(), now, [&out](error_code e) { out = e; });
    BOOST_REQUIRE(out);
    return *out;
  }

  /// Leaves; answered once what the leave changed is written. The
  /// member's own answer.
  error_code leave(const std::string& member) {
    std::optional<group_shard::leave_result> out;
    shard->leave_group("g", {{member, std::nullopt}}, test::no_topics(), now, [&out](group_shard::leave_result r) { out = r; });
    log.complete_all();
    BOOST_REQUIRE(out);
    BOOST_TEST(code_of(out->error) == code_of(error_code::none));
    BOOST_REQUIRE(out->members.size() == 1u);
    return out->members[0];
  }

  void tick() { shard->tick(topics, now); }
};

}  // namespace

namespace sluice::group_coordinator {
std::ostream& operator<<(std::ostream& out, group_state s) { return out << state_name(s); }
}  // namespace sluice::group_coordinator

BOOST_AUTO_TEST_SUITE(classic_group_states)

BOOST_FIXTURE_TEST_CASE(one_member_goes_from_empty_to_stable, fixture) {
  BOOST_TEST(!shard->classic("g"));
  std::optional<join_result> first, joined;
  join(join_req(""), first);
  BOOST_REQUIRE(first);
  BOOST_TEST(code_of(first->error) == code_of(error_code::member_id_required));
  BOOST_TEST(group().state() == group_state::empty);  // the id handed out, nobody joined yet
  const auto id = first->member_id;
  join(join_req(id), joined);
  BOOST_REQUIRE(joined);  // alone and no initial delay: the rebalance completes at once
  BOOST_TEST(code_of(joined->error) == code_of(error_code::none));
  BOOST_TEST(joined->generation == 1);
  BOOST_TEST(joined->leader == id);
  BOOST_TEST(joined->members.size() == 1u);
  BOOST_TEST(*joined->protocol_name == "range");
  BOOST_TEST(group().state() == group_state::completing_rebalance);

  std::optional<sync_result> synced;
  sync(id, 1, {{id, "assignment"}}, synced);
  BOOST_TEST(!synced);  // the answer waits until the assignment is stored
  BOOST_TEST(log.pending.size() == 1u);
  log.complete_all();
  BOOST_REQUIRE(synced);
  BOOST_TEST(synced->assignment == "assignment");
  BOOST_TEST(group().state() == group_state::stable);
}

BOOST_FIXTURE_TEST_CASE(sync_answers_after_the_store_and_group_becomes_stable, fixture) {
  std::optional<join_result> a_join, b_join;
  const auto a = new_member(a_join);
  BOOST_REQUIRE(a_join);
  // A second member: the group rebalances and waits for A to rejoin.
  const auto b = new_member(b_join);
  BOOST_TEST(group().state() == group_state::preparing_rebalance);
  BOOST_TEST(!b_join);
  std::optional<join_result> a_rejoin;
  join(join_req(a), a_rejoin);
  BOOST_REQUIRE(a_rejoin);
  BOOST_REQUIRE(b_join);
  BOOST_TEST(a_rejoin->generation == 2);
  BOOST_TEST(b_join->generation == 2);
  BOOST_TEST(a_rejoin->members.size() == 2u);  // A leads: it gets everyone's metadata
  BOOST_TEST(b_join->members.empty());

  std::optional<sync_result> b_sync, a_sync;
  sync(b, 2, {}, b_sync);
  BOOST_TEST(!b_sync);  // a follower waits for the leader
  sync(a, 2, {{a, "A"}, {b, "B"}}, a_sync);
  BOOST_TEST(!a_sync);
  BOOST_TEST(!b_sync);  // both wait for the store
  log.complete_all();
  BOOST_REQUIRE(b_sync);
  BOOST_TEST(b_sync->assignment == "B");
  BOOST_TEST(group().state() == group_state::stable);
  BOOST_TEST(code_of(heartbeat(a, 2)) == code_of(error_code::none));
}

BOOST_FIXTURE_TEST_CASE(errors_clients_expect, fixture) {
  const auto id = stable_member();
  BOOST_TEST(group().state() == group_state::stable);
  BOOST_TEST(code_of(heartbeat("nobody", 1)) == code_of(error_code::unknown_member_id));
  BOOST_TEST(code_of(heartbeat(id, 7)) == code_of(error_code::illegal_generation));
  BOOST_TEST(code_of(sync_now(id, 7).error) == code_of(error_code::illegal_generation));
  BOOST_TEST(code_of(group().validate_commit(id, std::nullopt, 1)) == code_of(error_code::none));
  BOOST_TEST(code_of(group().validate_commit(id, std::nullopt, 0)) == code_of(error_code::illegal_generation));
  BOOST_TEST(code_of(group().validate_commit("", std::nullopt, -1)) == code_of(error_code::unknown_member_id));

  auto bad_timeout = join_req("");
  bad_timeout.session_timeout_ms = 10;
  std::optional<join_result> refused;
  join(bad_timeout, refused);
  BOOST_TEST(code_of(refused->error) == code_of(error_code::invalid_session_timeout));

  auto other_protocol = join_req("");
  other_protocol.protocols = {{"roundrobin", "m"}};
  std::optional<join_result> inconsistent;
  join(other_protocol, inconsistent);
  BOOST_TEST(code_of(inconsistent->error) == code_of(error_code::inconsistent_group_protocol));
}

BOOST_FIXTURE_TEST_CASE(a_silent_member_expires_and_the_group_rebalances, fixture) {
  std::optional<join_result> a_join, b_join, a_rejoin;
  const auto a = new_member(a_join);
  const auto b = new_member(b_join);
  join(join_req(a), a_rejoin);
  sync_stored(a, 2, {{a, "A"}, {b, "B"}});
  BOOST_TEST(group().state() == group_state::stable);

  now += 5s;
  BOOST_TEST(code_of(heartbeat(a, 2)) == code_of(error_code::none));
  now += 6s;  // B silent for 11 s > its 10 s session
  tick();
  BOOST_TEST(group().members().count(b) == 0u);
  BOOST_TEST(group().state() == group_state::preparing_rebalance);
  BOOST_TEST(code_of(heartbeat(a, 2)) == code_of(error_code::rebalance_in_progress));
  std::optional<join_result> again;
  join(join_req(a), again);
  BOOST_REQUIRE(again);
  BOOST_TEST(again->generation == 3);
  BOOST_TEST(again->members.size() == 1u);
}

BOOST_FIXTURE_TEST_CASE(a_member_that_does_not_rejoin_is_dropped_at_the_rebalance_timeout, fixture) {
  std::optional<join_result> a_join, b_join;
  const auto a = new_member(a_join);
  sync_stored(a, 1, {{a, "A"}});
  const auto b = new_member(b_join);  // A must rejoin within its 30 s rebalance timeout
  BOOST_TEST(!b_join);
  for (int i = 0; i < 5; ++i) {  // A keeps heartbeating (told a rebalance is on) but never rejoins
    now += 5s;
    tick();
    BOOST_TEST(!b_join);
    BOOST_TEST(code_of(heartbeat(a, 1)) == code_of(error_code::rebalance_in_progress));
  }
  now += 6s;
  tick();
  BOOST_REQUIRE(b_join);
  BOOST_TEST(b_join->generation == 2);
  BOOST_TEST(group().members().count(a) == 0u);
  BOOST_TEST(b_join->leader == b);
}

BOOST_FIXTURE_TEST_CASE(leaving_members_empty_the_group, fixture) {
  const auto id = stable_member();
  BOOST_TEST(code_of(leave("nobody")) == code_of(error_code::unknown_member_id));
  BOOST_TEST(code_of(leave(id)) == code_of(error_code::none));
  BOOST_TEST(group().state() == group_state::empty);
  BOOST_TEST(group().generation() == 2);
  BOOST_TEST(code_of(group().validate_commit("", std::nullopt, -1)) == code_of(error_code::none));
}

BOOST_FIXTURE_TEST_CASE(initial_rebalance_delay_waits_for_more_members, fixture) {
  options.initial_rebalance_delay = 3000ms;
  std::optional<join_result> a_join, b_join;
  new_member(a_join);
  now += 1s;
  new_member(b_join);
  tick();
  BOOST_TEST(!a_join);  // each newcomer extends the wait
  now += 2500ms;
  tick();
  BOOST_TEST(!a_join);
  now += 1s;
  tick();
  BOOST_REQUIRE(a_join);
  BOOST_REQUIRE(b_join);
  BOOST_TEST(a_join->generation == 1);
}

BOOST_FIXTURE_TEST_CASE(failed_store_fails_the_sync_and_rebalances, fixture) {
  std::optional<join_result> joined;
  const auto id = new_member(joined);
  std::optional<sync_result> answer;
  sync(id, 1, {{id, "x"}}, answer);
  log.complete_all(error_code::not_coordinator);
  BOOST_REQUIRE(answer);
  BOOST_TEST(code_of(answer->error) == code_of(error_code::not_coordinator));
  BOOST_TEST(group().state() != group_state::stable);
}

BOOST_FIXTURE_TEST_CASE(static_member_restart_keeps_its_assignment, fixture) {
  std::optional<join_result> a_join;
  const auto a = new_member(a_join);  // A leads
  const auto b_req = static_req("instance-b");
  std::optional<join_result> b_join;
  join(b_req, b_join);  // static members skip MEMBER_ID_REQUIRED
  std::optional<join_result> a_rejoin;
  join(join_req(a), a_rejoin);
  BOOST_REQUIRE(b_join);
  const auto b = b_join->member_id;
  sync_stored(a, 2, {{a, "A"}, {b, "B"}});
  BOOST_TEST(group().state() == group_state::stable);

  // B restarts (new member id, same instance id): no rebalance, same assignment.
  std::optional<join_result> restarted;
  join(b_req, restarted);
  log.complete_all();
  BOOST_REQUIRE(restarted);
  BOOST_TEST(restarted->member_id != b);
  BOOST_TEST(restarted->generation == 2);
  BOOST_TEST(group().state() == group_state::stable);
  BOOST_TEST(sync_now(restarted->member_id, 2, "instance-b").assignment == "B");
  // The old incarnation is fenced.
  BOOST_TEST(code_of(heartbeat(b, 2, "instance-b")) == code_of(error_code::fenced_instance_id));
}

BOOST_FIXTURE_TEST_CASE(static_leader_restart_does_not_rebalance, fixture) {
  const auto a_req = static_req("instance-a");
  const auto a_join = join_now(a_req);
  const auto a = a_join.member_id;
  BOOST_TEST(a_join.leader == a);
  sync_stored(a, 1, {{a, "A"}});

  std::optional<join_result> restarted;
  join(a_req, restarted);
  BOOST_TEST(!restarted);  // answered once the new member id is stored
  log.complete_all();
  BOOST_REQUIRE(restarted);
  BOOST_TEST(restarted->generation == 1);
  BOOST_TEST(restarted->leader == a);  // the old id: the new incarnation acts as a follower
  BOOST_TEST(restarted->members.empty());
  BOOST_TEST(group().state() == group_state::stable);
  BOOST_TEST(*group().leader() == restarted->member_id);
  BOOST_TEST(sync_now(restarted->member_id, 1).assignment == "A");
}

BOOST_AUTO_TEST_SUITE_END()

// The result model for classic groups: memory changes, and members are
// answered, only once the group's record is durable; a failed write
// changes nothing and answers Kafka's error (records too large:
// UNKNOWN_SERVER_ERROR).
BOOST_AUTO_TEST_SUITE(classic_group_durability)

namespace {

/// a (the leader) and b, both in generation 2, waiting for a's SyncGroup.
struct pair_fixture : fixture {
  std::string a, b;
  pair_fixture() {
    std::optional<join_result> a_join, b_join, a_rejoin;
    a = new_member(a_join);
    b = new_member(b_join);
    join(join_req(a), a_rejoin);
    BOOST_REQUIRE(b_join);
    BOOST_REQUIRE(group().state() == group_state::completing_rebalance);
  }
};

}  // namespace

BOOST_FIXTURE_TEST_CASE(the_leaders_assignment_is_visible_and_answered_only_once_durable, pair_fixture) {
  std::optional<sync_result> a_sync, b_sync;
  sync(b, 2, {}, b_sync);
  sync(a, 2, {{a, "A"}, {b, "B"}}, a_sync);
  BOOST_TEST(log.pending.size() == 1u);
  BOOST_TEST(!a_sync);
  BOOST_TEST(!b_sync);
  BOOST_TEST(group().state() == group_state::completing_rebalance);
  BOOST_TEST(group().members().at(b).assignment.empty());
  // A heartbeat meanwhile waits for the write, then sees the stable group.
  std::optional<error_code> beat;
  shard->heartbeat("g", {b, std::nullopt}, 2, test::no_topics(), now, [&](error_code e) { beat = e; });
  BOOST_TEST(!beat);
  log.complete();
  BOOST_REQUIRE(a_sync);
  BOOST_REQUIRE(b_sync);
  BOOST_REQUIRE(beat);
  BOOST_TEST(code_of(*beat) == code_of(error_code::none));
  BOOST_TEST(b_sync->assignment == "B");
  BOOST_TEST(group().members().at(b).assignment == "B");
  BOOST_TEST(group().state() == group_state::stable);
}

BOOST_FIXTURE_TEST_CASE(a_failed_assignment_write_changes_nothing_and_every_member_rejoins, pair_fixture) {
  std::optional<sync_result> a_sync, b_sync;
  sync(b, 2, {}, b_sync);
  sync(a, 2, {{a, "A"}, {b, "B"}}, a_sync);
  log.complete(error_code::invalid_commit_offset_size);  // the record was too large
  BOOST_REQUIRE(a_sync);
  BOOST_REQUIRE(b_sync);
  BOOST_TEST(code_of(a_sync->error) == code_of(error_code::unknown_server_error));
  BOOST_TEST(code_of(b_sync->error) == code_of(error_code::unknown_server_error));
  BOOST_TEST(log.written.empty());
  BOOST_TEST(group().generation() == 2);
  BOOST_TEST(group().members().at(a).assignment.empty());
  BOOST_TEST(group().members().at(b).assignment.empty());
  // As Kafka: the group rebalances, and the members rejoin into generation 3.
  BOOST_TEST(group().state() == group_state::preparing_rebalance);
  std::optional<join_result> a_again, b_again;
  join(join_req(a), a_again);
  join(join_req(b), b_again);
  BOOST_REQUIRE(a_again);
  BOOST_REQUIRE(b_again);
  BOOST_TEST(a_again->generation == 3);
}

BOOST_FIXTURE_TEST_CASE(a_static_restart_that_cannot_be_stored_keeps_the_old_member, fixture) {
  const auto b_req = static_req("instance-b");
  const auto b = join_now(b_req).member_id;
  sync_stored(b, 1, {{b, "B"}});

  std::optional<join_result> restarted;
  join(b_req, restarted);
  BOOST_TEST(!restarted);  // the new member id is not durable yet
  BOOST_TEST(group().members().count(b) == 1u);
  BOOST_TEST(group().members().size() == 1u);
  log.complete(error_code::not_coordinator);
  BOOST_REQUIRE(restarted);
  BOOST_TEST(code_of(restarted->error) == code_of(error_code::not_coordinator));
  BOOST_TEST(group().members().count(b) == 1u);
  BOOST_TEST(group().members().size() == 1u);
  BOOST_TEST(group().state() == group_state::stable);
  BOOST_TEST(code_of(heartbeat(b, 1, "instance-b")) == code_of(error_code::none));
}

BOOST_FIXTURE_TEST_CASE(a_leave_that_empties_the_group_is_answered_once_durable, fixture) {
  const auto id = stable_member();
  std::optional<group_shard::leave_result> left;
  auto leave_now = [&] {
    left.reset();
    shard->leave_group("g", {{id, std::nullopt}}, test::no_topics(), now, [&](group_shard::leave_result r) { left = r; });
  };
  leave_now();
  BOOST_TEST(!left);
  BOOST_TEST(group().members().count(id) == 1u);  // the empty generation is not durable yet
  log.complete(error_code::coordinator_not_available);
  BOOST_REQUIRE(left);
  // As Kafka: the request's error, no member answers.
  BOOST_TEST(code_of(left->error) == code_of(error_code::coordinator_not_available));
  BOOST_TEST(left->members.empty());
  BOOST_TEST(group().members().count(id) == 1u);
  BOOST_TEST(group().generation() == 1);
  BOOST_TEST(group().state() == group_state::stable);

  leave_now();
  log.complete();
  BOOST_REQUIRE(left);
  BOOST_TEST(code_of(left->error) == code_of(error_code::none));
  BOOST_REQUIRE(left->members.size() == 1u);
  BOOST_TEST(code_of(left->members[0]) == code_of(error_code::none));
  BOOST_TEST(group().empty());
  BOOST_TEST(group().generation() == 2);
}

BOOST_FIXTURE_TEST_CASE(an_expired_member_is_gone_once_the_empty_group_is_durable, fixture) {
  const auto id = stable_member();
  now += 11s;  // past its 10 s session
  tick();
  BOOST_TEST(log.pending.size() == 1u);
  BOOST_TEST(group().members().count(id) == 1u);
  tick();  // the group's write is under way: nothing more
  BOOST_TEST(log.pending.size() == 1u);
  log.complete(error_code::not_coordinator);
  BOOST_TEST(group().members().count(id) == 1u);  // a failed write changed nothing
  BOOST_TEST(group().generation() == 1);
  tick();  // the deadline is still past: written again
  log.complete();
  BOOST_TEST(group().empty());
  BOOST_TEST(group().generation() == 2);
  BOOST_TEST(log.written.size() == 2u);  // the assignment, then the empty generation
}

BOOST_FIXTURE_TEST_CASE(closing_while_the_assignment_is_written_answers_every_request_once, pair_fixture) {
  std::vector<sync_result> a_syncs, b_syncs;
  std::vector<error_code> beats;
  std::vector<join_result> c_joins;
  auto sync_into = [&](const std::string& member, std::map<std::string, std::string> assignments,
                       std::vector<sync_result>& out) {
    sync_request s;
    s.member_id = member;
    s.generation = 2;
    s.assignments = std::move(assignments);
    shard->sync_group("g", std::move(s), test::no_topics(), now, [&out](sync_result r) { out.push_back(std::move(r)); });
  };
  sync_into(b, {}, b_syncs);                    // waits in the group for the leader
  sync_into(a, {{a, "A"}, {b, "B"}}, a_syncs);  // the assignment's write is under way
  // Both wait for that write.
  shard->heartbeat("g", {b, std::nullopt}, 2, test::no_topics(), now, [&](error_code e) { beats.push_back(e); });
  shard->join_group("g", join_req(""), test::no_topics(), now, [&](join_result r) { c_joins.push_back(std::move(r)); });
  BOOST_TEST(log.pending.size() == 1u);
  BOOST_TEST(a_syncs.empty());
  BOOST_TEST(b_syncs.empty());
  BOOST_TEST(beats.empty());
  BOOST_TEST(c_joins.empty());

  shard->close();
  BOOST_REQUIRE(a_syncs.size() == 1u);
  BOOST_REQUIRE(b_syncs.size() == 1u);
  BOOST_REQUIRE(beats.size() == 1u);
  BOOST_REQUIRE(c_joins.size() == 1u);
  BOOST_TEST(code_of(a_syncs[0].error) == code_of(error_code::not_coordinator));
  BOOST_TEST(code_of(b_syncs[0].error) == code_of(error_code::not_coordinator));
  BOOST_TEST(code_of(beats[0]) == code_of(error_code::not_coordinator));
  BOOST_TEST(code_of(c_joins[0].error) == code_of(error_code::not_coordinator));

  log.complete();  // the write lands after all: nobody is answered again, nothing changes
  BOOST_TEST(a_syncs.size() == 1u);
  BOOST_TEST(b_syncs.size() == 1u);
  BOOST_TEST(beats.size() == 1u);
  BOOST_TEST(c_joins.size() == 1u);
  BOOST_TEST(group().state() == group_state::completing_rebalance);
  BOOST_TEST(group().members().at(b).assignment.empty());
}

BOOST_FIXTURE_TEST_CASE(a_rejoin_replacing_a_waiting_join_answers_each_request_once, pair_fixture) {
  sync_stored(a, 2, {{a, "A"}, {b, "B"}});
  std::vector<join_result> a_joins, b_first, b_second;
  auto join_into = [&](const std::string& member, std::vector<join_result>& out) {
    shard->join_group("g", join_req(member, "m2"), test::no_topics(), now, [&out](join_result r) { out.push_back(std::move(r)); });
  };
  join_into(b, b_first);  // new metadata: a rebalance, b waits for a
  BOOST_TEST(group().state() == group_state::preparing_rebalance);
  BOOST_TEST(b_first.empty());
  join_into(b, b_second);  // b asks again: its first request is answered, the second waits
  BOOST_REQUIRE(b_first.size() == 1u);
  BOOST_TEST(code_of(b_first[0].error) == code_of(error_code::rebalance_in_progress));
  BOOST_TEST(b_second.empty());
  join_into(a, a_joins);  // everyone is in: both are answered, in one generation
  BOOST_REQUIRE(a_joins.size() == 1u);
  BOOST_REQUIRE(b_second.size() == 1u);
  BOOST_TEST(b_first.size() == 1u);
  BOOST_TEST(code_of(a_joins[0].error) == code_of(error_code::none));
  BOOST_TEST(code_of(b_second[0].error) == code_of(error_code::none));
  BOOST_TEST(a_joins[0].generation == 3);
  BOOST_TEST(b_second[0].generation == 3);
  BOOST_TEST(a_joins[0].leader == b_second[0].leader);
  BOOST_TEST(log.pending.empty());  // completing a join writes nothing, as Kafka's

  shard->close();  // nobody is waiting any more
  BOOST_TEST(a_joins.size() == 1u);
  BOOST_TEST(b_first.size() == 1u);
  BOOST_TEST(b_second.size() == 1u);
}

BOOST_AUTO_TEST_SUITE_END()
