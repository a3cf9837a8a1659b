// partition_change_builder: each path the coordinator sends through it (ISR
// change, lease expiry, controlled shutdown, registration take-back,
// elections, reassignment steps) and a random walk over all intents, with
// the invariants checked after every change: the leader is -1 or in the ISR,
// the ISR is never empty and holds replicas only, the leader epoch grows exactly when the leader
// changes (or a fence asks for it), the partition epoch grows exactly when
// the replicas or the ISR change, unclean leaders only when asked for.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <random>
#include <set>
#include <sstream>

#include "services/coordinator/partition_change_builder.h"

using namespace sluice::coordinator;
using sluice::no_node;
using sluice::node_id;

namespace {

std::vector<node_id> ids(std::initializer_list<std::int32_t> raw) {
  return to_node_ids(std::vector<std::int32_t>(raw));
}

std::string show(const std::vector<node_id>& v) {
  std::ostringstream out;
  out << '[';
  for (std::size_t i = 0; i < v.size(); ++i) out << (i ? "," : "") << v[i]();
  out << ']';
  return out.str();
}

std::string show(const partition_record& p) {
  std::ostringstream out;
  out << "replicas " << show(p.replicas) << " isr " << show(p.isr) << " adding " << show(p.adding_replicas)
      << " removing " << show(p.removing_replicas) << " leader " << p.leader() << " leader epoch "
      << p.leader_epoch() << " partition epoch " << p.partition_epoch();
  return out.str();
}

/// The leader, its epoch, the partition epoch and the ISR of a change's
/// result, or "no change".
std::string outcome(const std::optional<partition_record>& p) {
  if (!p) return "no change";
  std::ostringstream out;
  out << "leader " << p->leader() << ", epochs " << p->leader_epoch() << "/" << p->partition_epoch() << ", isr "
      << show(p->isr);
  return out.str();
}

/// replicas, ISR and leader; epochs 5 and 7 so a reset would show.
partition_record record(std::vector<node_id> replicas, std::vector<node_id> isr, std::int32_t leader) {
  partition_record p;
  p.replicas = std::move(replicas);
  p.isr = std::move(isr);
  p.leader = node_id{leader};
  p.leader_epoch = sluice::leader_epoch{5};
  p.partition_epoch = sluice::partition_epoch{7};
  return p;
}

auto live(std::initializer_list<std::int32_t> raw) {
  std::set<node_id> up;
  for (auto n : raw) up.insert(node_id{n});
  return [up](node_id n) { return up.count(n) != 0; };
}

auto everyone = [](node_id) { return true; };

/// What a test asked of the builder, for the invariant check.
struct intents {
  std::optional<std::vector<node_id>> target_isr{};
  bool elect = false;
  bool bump = false;
  election how = election::online;
  std::set<node_id> must_leave{};
  node_id move_away = no_node;
};

bool lists_differ(const partition_record& a, const partition_record& b) {
  return a.replicas != b.replicas || a.isr != b.isr || a.adding_replicas != b.adding_replicas ||
         a.removing_replicas != b.removing_replicas;
}

/// The builder's guarantees for one change from `before` to `after`.
void check_invariants(const partition_record& before, const partition_record& after, const intents& asked,
                      const partition_change_builder::acceptable_fn& acceptable) {
  BOOST_TEST_CONTEXT("before: " << show(before) << "\nafter:  " << show(after)) {
    BOOST_TEST(!after.isr.empty());
    for (auto n : after.isr) BOOST_TEST(after.is_replica(n), "ISR member " << n << " is no replica");
    if (after.leader != no_node) {
      BOOST_TEST(after.in_isr(after.leader));
      BOOST_TEST(after.is_replica(after.leader));
    }
    const bool leader_changed = after.leader != before.leader;
    const bool fenced = asked.bump && after.leader != no_node;
    BOOST_TEST(after.leader_epoch() == before.leader_epoch() + ((leader_changed || fenced) ? 1 : 0));
    BOOST_TEST(after.partition_epoch() == before.partition_epoch() + (lists_differ(before, after) ? 1 : 0));
    if (leader_changed && after.leader != no_node) {
      BOOST_TEST(acceptable(after.leader));
      BOOST_TEST(!asked.must_leave.count(after.leader));
      BOOST_TEST(after.leader() != asked.move_away());
      const bool was_in_sync =
          before.in_isr(after.leader) || (asked.target_isr && contains(*asked.target_isr, after.leader));
      if (!was_in_sync) {
        BOOST_TEST((asked.how == election::unclean), "a leader from outside the ISR without an unclean election");
        BOOST_TEST(show(after.isr) == show({after.leader}));
      }
    }
    if (before.leader == no_node && !asked.elect) BOOST_TEST(after.leader() == -1);
  }
}

/// Builds with `b` and checks the invariants; returns the record after the change.
partition_record apply(const partition_record& before, partition_change_builder& b, const intents& asked,
                       const partition_change_builder::acceptable_fn& acceptable) {
  auto next = b.build();
  if (!next) return before;
  BOOST_TEST(!(*next == before), "a change equal to the current record");
  check_invariants(before, *next, asked, acceptable);
  return *next;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(partition_change_builder_rules)

BOOST_AUTO_TEST_CASE(an_isr_change_bumps_the_partition_epoch_only) {
  const auto p = record(ids({1, 2, 3}), ids({1, 2, 3}), 1);
  auto next = partition_change_builder(p, everyone).set_target_isr(ids({1, 3})).build();
  BOOST_TEST(outcome(next) == "leader 1, epochs 5/8, isr [1,3]");
  BOOST_REQUIRE(next);
  check_invariants(p, *next, {.target_isr = ids({1, 3})}, everyone);
  // The same ISR again is no change at all.
  BOOST_TEST(!partition_change_builder(p, everyone).set_target_isr(ids({1, 2, 3})).build());
  BOOST_TEST(!partition_change_builder(p, everyone).build());
}

BOOST_AUTO_TEST_CASE(a_gone_leader_hands_over_to_the_first_live_isr_member_in_replica_order) {
  // Lease expiry: the ISR order differs from the replica order.
  const auto p = record(ids({1, 2, 3}), ids({1, 3, 2}), 1);
  auto acceptable = live({2, 3});
  auto next =
      partition_change_builder(p, acceptable).set_target_isr(ids({3, 2})).leader_must_leave({node_id{1}}).build();
  BOOST_TEST(outcome(next) == "leader 2, epochs 6/8, isr [3,2]");
  BOOST_REQUIRE(next);
  check_invariants(p, *next, {.target_isr = ids({3, 2}), .must_leave = {node_id{1}}}, acceptable);
}

BOOST_AUTO_TEST_CASE(the_last_isr_member_gone_leaves_the_partition_leaderless_with_its_isr_recorded) {
  const auto p = record(ids({1, 2}), ids({1}), 1);
  auto acceptable = live({2});
  auto next = partition_change_builder(p, acceptable).set_target_isr({}).leader_must_leave({node_id{1}}).build();
  BOOST_TEST(outcome(next) == "leader -1, epochs 6/7, isr [1]");
}

BOOST_AUTO_TEST_CASE(unclean_election_only_when_asked_for) {
  const auto p = record(ids({1, 2}), ids({1}), 1);
  auto acceptable = live({2});
  const intents asked{.target_isr = std::vector<node_id>{}, .how = election::unclean, .must_leave = {node_id{1}}};
  auto next = partition_change_builder(p, acceptable)
                  .set_target_isr({})
                  .leader_must_leave({node_id{1}})
                  .set_election(election::unclean)
                  .build();
  BOOST_TEST(outcome(next) == "leader 2, epochs 6/8, isr [2]");  // the new leader is the whole ISR
  BOOST_REQUIRE(next);
  check_invariants(p, *next, asked, acceptable);
  for (auto how : {election::online, election::preferred}) {
    auto clean = partition_change_builder(p, acceptable).leader_must_leave({node_id{1}}).set_election(how).build();
    BOOST_TEST(outcome(clean) == "leader -1, epochs 6/7, isr [1]");
  }
}

BOOST_AUTO_TEST_CASE(controlled_shutdown_moves_the_leader_only_to_another_isr_member) {
  auto acceptable = live({2, 3});
  const auto alone = record(ids({1, 2}), ids({1}), 1);
  BOOST_TEST(!partition_change_builder(alone, acceptable).move_leader_away_from(node_id{1}).build());
  const auto p = record(ids({1, 2, 3}), ids({1, 3}), 1);
  auto next = partition_change_builder(p, acceptable).move_leader_away_from(node_id{1}).build();
  BOOST_TEST(outcome(next) == "leader 3, epochs 6/7, isr [1,3]");  // leaving the ISR is a second step
  BOOST_REQUIRE(next);
  check_invariants(p, *next, {.move_away = node_id{1}}, acceptable);
  auto out = partition_change_builder(*next, acceptable).set_target_isr(ids({3})).build();
  BOOST_TEST(outcome(out) == "leader 3, epochs 6/8, isr [3]");
}

BOOST_AUTO_TEST_CASE(a_returning_server_takes_back_leaderless_partitions_and_fences_its_own) {
  auto only_two = [](node_id n) { return n == node_id{2}; };
  // Leaderless, 2 in the ISR: it leads again.
  const auto offline = record(ids({1, 2}), ids({2}), -1);
  BOOST_TEST(!partition_change_builder(offline, only_two).build(), "a leaderless partition waits for elect()");
  auto back = partition_change_builder(offline, only_two).elect().build();
  BOOST_REQUIRE(back);
  BOOST_TEST(outcome(back) == "leader 2, epochs 6/7, isr [2]");
  check_invariants(offline, *back, {.elect = true}, only_two);
  // Leaderless, 2 out of sync: only an unclean election takes it.
  const auto behind = record(ids({1, 2}), ids({1}), -1);
  BOOST_TEST(!partition_change_builder(behind, only_two).elect().build());
  auto unclean = partition_change_builder(behind, only_two).set_election(election::unclean).elect().build();
  BOOST_TEST(outcome(unclean) == "leader 2, epochs 6/8, isr [2]");
  // Still its leader: same leader, new leader epoch.
  const auto led = record(ids({1, 2}), ids({1, 2}), 2);
  auto fenced = partition_change_builder(led, only_two).bump_leader_epoch().build();
  BOOST_REQUIRE(fenced);
  BOOST_TEST(outcome(fenced) == "leader 2, epochs 6/7, isr [1,2]");
  check_invariants(led, *fenced, {.bump = true}, only_two);
  BOOST_TEST(!partition_change_builder(offline, only_two).bump_leader_epoch().build(), "no leader to fence");
}

BOOST_AUTO_TEST_CASE(preferred_election_moves_to_replica_zero_when_it_can) {
  const auto p = record(ids({1, 2}), ids({1, 2}), 2);
  auto next = partition_change_builder(p, everyone).set_election(election::preferred).elect().build();
  BOOST_REQUIRE(next);
  BOOST_TEST(outcome(next) == "leader 1, epochs 6/7, isr [1,2]");
  BOOST_TEST(!partition_change_builder(p, live({2})).set_election(election::preferred).elect().build());
  const auto behind = record(ids({1, 2}), ids({2}), 2);
  BOOST_TEST(!partition_change_builder(behind, everyone).set_election(election::preferred).elect().build());
  BOOST_TEST(!partition_change_builder(*next, everyone).set_election(election::preferred).elect().build());
}

BOOST_AUTO_TEST_CASE(an_operator_election_replaces_only_a_missing_or_unacceptable_leader) {
  const auto p = record(ids({1, 2, 3}), ids({1, 2}), 1);
  BOOST_TEST(!partition_change_builder(p, everyone).set_election(election::unclean).elect().build());
  auto next = partition_change_builder(p, live({2, 3})).set_election(election::unclean).elect().build();
  BOOST_TEST(outcome(next) == "leader 2, epochs 6/7, isr [1,2]");  // in sync: no need to go outside the ISR
}

BOOST_AUTO_TEST_CASE(a_reassignment_steps_then_completes_when_the_new_replicas_are_in_sync) {
  const auto p = record(ids({1}), ids({1}), 1);
  auto moving =
      partition_change_builder(p, everyone).set_target_replicas(ids({2, 3, 1}), ids({2, 3}), ids({1})).build();
  BOOST_TEST(outcome(moving) == "leader 1, epochs 5/8, isr [1]");
  BOOST_REQUIRE(moving);
  BOOST_TEST(!partition_change_builder(*moving, everyone).complete_reassignment().build(), "2 and 3 not in sync");
  auto half = partition_change_builder(*moving, everyone).set_target_isr(ids({1, 2})).build();
  BOOST_REQUIRE(half);
  BOOST_TEST(!partition_change_builder(*half, everyone).complete_reassignment().build());
  auto synced = partition_change_builder(*half, everyone).set_target_isr(ids({1, 2, 3})).build();
  BOOST_REQUIRE(synced);
  auto done = partition_change_builder(*synced, everyone).complete_reassignment().build();
  BOOST_REQUIRE(done);
  BOOST_TEST(show(done->replicas) == "[2,3]");
  BOOST_TEST(show(done->isr) == "[2,3]");
  BOOST_TEST(done->adding_replicas.empty());
  BOOST_TEST(done->removing_replicas.empty());
  BOOST_TEST(done->leader() == 2);  // the old leader left with the old replica set
  BOOST_TEST(done->leader_epoch() == synced->leader_epoch() + 1);
  BOOST_TEST(done->partition_epoch() == synced->partition_epoch() + 1);
  check_invariants(*synced, *done, {}, everyone);
}

BOOST_AUTO_TEST_CASE(a_leaderless_partition_completes_a_reassignment_at_the_same_leader_epoch) {
  // Nobody can lead (that is why it is leaderless); the reassignment that
  // only removed 2 still completes.
  auto p = record(ids({1, 2}), ids({1, 2}), -1);
  p.removing_replicas = ids({2});
  auto nobody = live({});
  auto done = partition_change_builder(p, nobody).complete_reassignment().build();
  BOOST_TEST(outcome(done) == "leader -1, epochs 5/8, isr [1]");
  BOOST_REQUIRE(done);
  BOOST_TEST(show(done->replicas) == "[1]");
  BOOST_TEST(done->removing_replicas.empty());
  check_invariants(p, *done, {}, nobody);
}

BOOST_AUTO_TEST_CASE(isr_members_that_are_no_replica_any_more_leave_the_isr) {
  const auto p = record(ids({1, 2, 4}), ids({1, 4}), 1);
  // A reassignment replaced by one that no longer adds 4.
  auto next = partition_change_builder(p, everyone).set_target_replicas(ids({3, 1, 2}), ids({3}), {}).build();
  BOOST_TEST(outcome(next) == "leader 1, epochs 5/8, isr [1]");
}

BOOST_AUTO_TEST_CASE(random_walks_keep_the_invariants) {
  std::mt19937 rng(20261207);
  auto chance = [&](int percent) { return std::uniform_int_distribution<int>(0, 99)(rng) < percent; };
  auto pick = [&](const std::vector<node_id>& from) {
    return from[std::uniform_int_distribution<std::size_t>(0, from.size() - 1)(rng)];
  };
  const auto nodes = ids({1, 2, 3, 4, 5});
  auto some = [&](const std::vector<node_id>& from, int percent) {
    std::vector<node_id> out;
    for (auto n : from)
      if (chance(percent)) out.push_back(n);
    std::shuffle(out.begin(), out.end(), rng);
    return out;
  };
  int changes = 0, unclean = 0, leaderless = 0;
  for (int walk = 0; walk < 500; ++walk) {
    auto replicas = some(nodes, 60);
    if (replicas.empty()) replicas.push_back(pick(nodes));
    auto isr = some(replicas, 70);
    if (isr.empty()) isr.push_back(pick(replicas));
    auto p = record(replicas, isr, chance(80) ? pick(isr)() : -1);
    for (int step = 0; step < 30; ++step) {
      const auto up = some(nodes, 70);
      auto acceptable = [up](node_id n) { return contains(up, n); };
      partition_change_builder b(p, acceptable);
      intents asked;
      if (chance(40)) {
        asked.target_isr = some(p.replicas, 60);
        b.set_target_isr(*asked.target_isr);
      }
      if (chance(15)) {
        auto target = some(nodes, 50);
        if (target.empty()) target.push_back(pick(nodes));
        std::vector<node_id> all = target, adding, removing;
        for (auto n : p.replicas)
          if (!contains(target, n)) {
            all.push_back(n);
            removing.push_back(n);
          }
        for (auto n : target)
          if (!p.is_replica(n)) adding.push_back(n);
        b.set_target_replicas(all, adding, removing);
      }
      if (chance(30)) b.complete_reassignment();
      asked.how = std::vector{election::online, election::unclean, election::preferred}[rng() % 3];
      b.set_election(asked.how);
      if (chance(30)) {
        asked.elect = true;
        b.elect();
      }
      if (chance(25)) {
        asked.must_leave = {pick(nodes)};
        b.leader_must_leave(asked.must_leave);
      }
      if (chance(20)) {
        asked.move_away = chance(50) && p.leader != no_node ? p.leader : pick(nodes);
        b.move_leader_away_from(asked.move_away);
      }
      if (chance(10)) {
        asked.bump = true;
        b.bump_leader_epoch();
      }
      const auto next = apply(p, b, asked, acceptable);
      changes += !(next == p);
      unclean += next.leader != p.leader && next.leader != no_node && !p.in_isr(next.leader) &&
                 !(asked.target_isr && contains(*asked.target_isr, next.leader));
      leaderless += next.leader == no_node;
      p = next;
    }
  }
  // The walk reached the interesting states, not only "no change".
  BOOST_TEST(changes > 1000);
  BOOST_TEST(unclean > 10);
  BOOST_TEST(leaderless > 100);
}

BOOST_AUTO_TEST_SUITE_END()
