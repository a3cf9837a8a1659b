// The coordinator's replication rules: ISR changes and their fencing,
// controlled shutdown, elections, reassignments, explicit placement and
// unclean election, on a temp LMDB store with a fake clock.
#include <boost/test/unit_test.hpp>

#include <vector>

#include "tests/unit/coordinator/state_fixture.h"

using namespace sluice::coordinator;
using namespace std::chrono_literals;

namespace {

/// state_fixture with three partition servers.
struct cluster_fixture : test::state_fixture {
  std::vector<cv1::RegisterResponse> servers;

  cluster_fixture() {
    for (int i = 0; i < 3; ++i) servers.push_back(reg(mv1::PARTITION_SERVER));
  }
  std::int32_t node(int i) const { return servers[static_cast<std::size_t>(i)].node_id(); }

  mv1::PartitionInfo partition(const std::string& name, int p) const { return topic(name).partitions(p); }

  /// Creates `name` with one partition on replicas `replicas` (explicit assignment).
  cv1::TopicResult create(const std::string& name, std::vector<std::int32_t> replicas,
                          std::map<std::string, std::string> configs = {}) {
    cv1::CreateTopicsRequest req;
    auto* t = req.add_topics();
    t->set_name(name);
    t->set_partitions(-1);
    t->set_replication_factor(-1);
    auto* a = t->add_assignments();
    a->set_partition(0);
    for (auto r : replicas) a->add_replicas(r);
    for (auto& [k, v] : configs) (*t->mutable_configs())[k] = v;
    return st->create_topics(req).results(0);
  }

  cv1::AlterPartitionResponse alter_isr(int sender, const mv1::PartitionInfo& p, std::vector<std::int32_t> isr) {
    cv1::AlterPartitionRequest req;
    req.set_node_id(node(sender));
    req.set_registration_epoch(servers[static_cast<std::size_t>(sender)].registration_epoch());
    req.set_controller_epoch(st->controller_epoch());
    auto* c = req.add_changes();
    c->set_topic("t");
    c->set_partition(0);
    c->set_leader_epoch(p.leader_epoch());
    c->set_partition_epoch(p.partition_epoch());
    for (auto r : isr) c->add_new_isr(r);
    return st->alter_partition(req);
  }

  /// AlterPartitionReassignments of t/0 towards `replicas` (empty: cancel).
  cv1::AlterPartitionReassignmentsResponse reassign(std::vector<std::int32_t> replicas) {
    cv1::AlterPartitionReassignmentsRequest req;
    auto* r = req.add_reassignments();
    r->set_topic("t");
    r->set_partition(0);
    for (auto id : replicas) r->add_replicas(id);
    return st->alter_partition_reassignments(req);
  }

  /// Node 0, leading partition 0 of `topic`, takes every other replica out of its ISR.
  void shrink_isr_to_leader(const std::string& topic) {
    auto p = partition(topic, 0);
    cv1::AlterPartitionRequest req;
    req.set_node_id(node(0));
    req.set_registration_epoch(servers[0].registration_epoch());
    req.set_controller_epoch(st->controller_epoch());
    auto* c = req.add_changes();
    c->set_topic(topic);
    c->set_partition(0);
    c->set_leader_epoch(p.leader_epoch());
    c->set_partition_epoch(p.partition_epoch());
    c->add_new_isr(node(0));
    BOOST_REQUIRE(st->alter_partition(req).results(0).error() == cv1::COORDINATOR_OK);
  }

  void keep_alive(std::initializer_list<int> which) {
    for (int i : which) beat(servers[static_cast<std::size_t>(i)]);
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(replication_rules)

BOOST_AUTO_TEST_CASE(isr_changes_are_fenced_by_every_epoch) {
  cluster_fixture f;
  BOOST_REQUIRE(f.create("t", {f.node(0), f.node(1), f.node(2)}).error() == cv1::COORDINATOR_OK);
  auto p = f.partition("t", 0);
  BOOST_TEST(p.leader() == f.node(0));

  auto ok = f.alter_isr(0, p, {f.node(0), f.node(1)});
  BOOST_TEST(ok.results(0).error() == cv1::COORDINATOR_OK);
  BOOST_TEST(ok.results(0).partition_info().partition_epoch() == p.partition_epoch() + 1);
  BOOST_TEST(f.partition("t", 0).isr_size() == 2);

  // The same proposal again names an old partition epoch.
  BOOST_TEST(f.alter_isr(0, p, {f.node(0)}).results(0).error() == cv1::INVALID_UPDATE_VERSION);
  // Not the leader.
  BOOST_TEST(f.alter_isr(1, f.partition("t", 0), {f.node(1)}).results(0).error() == cv1::NOT_LEADER);
  // An ISR without its leader.
  BOOST_TEST(f.alter_isr(0, f.partition("t", 0), {f.node(1)}).results(0).error() == cv1::INVALID_REQUEST);
  // An old leader epoch.
  auto stale = f.partition("t", 0);
  stale.set_leader_epoch(stale.leader_epoch() - 1);
  BOOST_TEST(f.alter_isr(0, stale, {f.node(0)}).results(0).error() == cv1::FENCED_LEADER_EPOCH);
  // Another coordinator run.
  cv1::AlterPartitionRequest req;
  req.set_node_id(f.node(0));
  req.set_registration_epoch(f.servers[0].registration_epoch());
  req.set_controller_epoch(f.st->controller_epoch() + 1);
  BOOST_TEST(f.st->alter_partition(req).error() == cv1::STALE_CONTROLLER_EPOCH);
  // An old registration.
  req.set_controller_epoch(f.st->controller_epoch());
  req.set_registration_epoch(f.servers[0].registration_epoch() + 100);
  BOOST_TEST(f.st->alter_partition(req).error() == cv1::STALE_EPOCH);
}

BOOST_AUTO_TEST_CASE(an_isr_change_to_the_current_isr_moves_no_epoch) {
  cluster_fixture f;
  f.create("t", {f.node(0), f.node(1)});
  const auto p = f.partition("t", 0);
  auto same = f.alter_isr(0, p, {f.node(0), f.node(1)});
  BOOST_TEST(same.results(0).error() == cv1::COORDINATOR_OK);
  BOOST_TEST(same.results(0).partition_info().partition_epoch() == p.partition_epoch());
  BOOST_TEST(same.results(0).partition_info().leader_epoch() == p.leader_epoch());
  BOOST_TEST(f.partition("t", 0).partition_epoch() == p.partition_epoch());
}

BOOST_AUTO_TEST_CASE(controlled_shutdown_moves_leadership_and_blocks_rejoining) {
  cluster_fixture f;
  f.create("t", {f.node(0), f.node(1), f.node(2)});
  const auto before = f.partition("t", 0);
  cv1::ControlledShutdownRequest req;
  req.set_node_id(f.node(0));
  req.set_registration_epoch(f.servers[0].registration_epoch());
  auto r = f.st->controlled_shutdown(req);
  BOOST_TEST(r.error() == cv1::COORDINATOR_OK);
  BOOST_TEST(r.remaining_leaderships() == 0);
  auto after = f.partition("t", 0);
  BOOST_TEST(after.leader() == f.node(1));
  BOOST_TEST(after.leader_epoch() == before.leader_epoch() + 1);
  BOOST_TEST(after.isr_size() == 2);
  // The new leader may not add the stopping server back.
  auto again = f.alter_isr(1, after, {f.node(1), f.node(2), f.node(0)});
  BOOST_TEST(again.results(0).error() == cv1::INELIGIBLE_REPLICA);
}

BOOST_AUTO_TEST_CASE(preferred_election_and_rebalance) {
  cluster_fixture f;
  f.create("t", {f.node(0), f.node(1), f.node(2)});
  cv1::ElectLeadersRequest req;
  req.set_type(cv1::PREFERRED);
  BOOST_TEST(f.st->elect_leaders(req).results(0).error() == cv1::ELECTION_NOT_NEEDED);
  cv1::ControlledShutdownRequest cs;
  cs.set_node_id(f.node(0));
  cs.set_registration_epoch(f.servers[0].registration_epoch());
  f.st->controlled_shutdown(cs);
  BOOST_TEST(f.st->elect_leaders(req).results(0).error() == cv1::PREFERRED_LEADER_NOT_AVAILABLE);
  // It comes back (new registration) and catches up into the ISR.
  cv1::RegisterRequest back;
  back.set_kind(mv1::PARTITION_SERVER);
  back.set_requested_node_id(f.node(0));
  f.servers[0] = f.st->register_service(back, f.now);
  auto p = f.partition("t", 0);
  BOOST_REQUIRE(f.alter_isr(1, p, {f.node(1), f.node(2), f.node(0)}).results(0).error() == cv1::COORDINATOR_OK);
  BOOST_TEST(f.st->rebalance_preferred_leaders() == 1u);
  BOOST_TEST(f.partition("t", 0).leader() == f.node(0));
  BOOST_TEST(f.st->rebalance_preferred_leaders() == 0u);
}

BOOST_AUTO_TEST_CASE(reassignment_completes_when_new_replicas_are_in_sync) {
  cluster_fixture f;
  f.create("t", {f.node(0)});
  BOOST_TEST(f.reassign({f.node(1), f.node(2)}).results(0).error() == cv1::COORDINATOR_OK);
  auto moving = f.partition("t", 0);
  BOOST_TEST(moving.replicas_size() == 3);
  BOOST_TEST(moving.adding_replicas_size() == 2);
  BOOST_TEST(moving.removing_replicas_size() == 1);
  BOOST_TEST(f.st->list_partition_reassignments({}).reassignments_size() == 1);
  // One new replica in sync: not done yet.
  BOOST_REQUIRE(f.alter_isr(0, moving, {f.node(0), f.node(1)}).results(0).error() == cv1::COORDINATOR_OK);
  BOOST_TEST(f.partition("t", 0).adding_replicas_size() == 2);
  // Both: done; the old leader was removed, so node 1 leads at a new epoch.
  auto p = f.partition("t", 0);
  BOOST_REQUIRE(f.alter_isr(0, p, {f.node(0), f.node(1), f.node(2)}).results(0).error() == cv1::COORDINATOR_OK);
  auto done = f.partition("t", 0);
  BOOST_TEST(done.replicas_size() == 2);
  BOOST_TEST(done.adding_replicas_size() == 0);
  BOOST_TEST(done.leader() == f.node(1));
  BOOST_TEST(done.leader_epoch() == moving.leader_epoch() + 1);
  BOOST_TEST(f.st->list_partition_reassignments({}).reassignments_size() == 0);
  // Nothing to cancel now.
  BOOST_TEST(f.reassign({}).results(0).error() == cv1::NO_REASSIGNMENT_IN_PROGRESS);
}

BOOST_AUTO_TEST_CASE(explicit_assignments_are_checked) {
  cluster_fixture f;
  BOOST_TEST(f.create("dup", {f.node(0), f.node(0)}).error() == cv1::INVALID_REPLICA_ASSIGNMENT);
  BOOST_TEST(f.create("ghost", {f.node(0), 999}).error() == cv1::INVALID_REPLICA_ASSIGNMENT);
  BOOST_TEST(f.create("ok", {f.node(2), f.node(0)}).error() == cv1::COORDINATOR_OK);
  BOOST_TEST(f.partition("ok", 0).leader() == f.node(2));
}

BOOST_AUTO_TEST_CASE(unclean_election_only_when_allowed) {
  cluster_fixture f;
  f.create("clean", {f.node(0), f.node(1)});
  f.create("unclean", {f.node(0), f.node(1)}, {{"unclean.leader.election.enable", "true"}});
  for (const char* t : {"clean", "unclean"}) {
    f.shrink_isr_to_leader(t);  // node 1 fell behind
  }
  // The leader's lease runs out; node 1 is alive but out of sync.
  f.now += 600ms;
  f.keep_alive({1, 2});
  f.now += 600ms;
  f.st->expire_leases(f.now);
  BOOST_TEST(f.partition("clean", 0).leader() == -1);
  auto u = f.partition("unclean", 0);
  BOOST_TEST(u.leader() == f.node(1));
  BOOST_REQUIRE(u.isr_size() == 1);
  BOOST_TEST(u.isr(0) == f.node(1));  // the new leader is the whole ISR, not the dead one
}

// The dynamic cluster default (kafka-configs --entity-default) allows unclean
// election where the topic does not say otherwise; a topic's "false" wins.
BOOST_AUTO_TEST_CASE(unclean_election_by_the_cluster_default) {
  cluster_fixture f;
  f.create("by_default", {f.node(0), f.node(1)});
  f.create("refusing", {f.node(0), f.node(1)}, {{"unclean.leader.election.enable", "false"}});
  cv1::AlterBrokerConfigsRequest set;
  set.set_cluster_default(true);
  auto* change = set.add_changes();
  change->set_key("unclean.leader.election.enable");
  change->set_value("TRUE");  // validation is case-insensitive, and so is the election
  BOOST_REQUIRE(f.st->alter_broker_configs(set).error() == cv1::COORDINATOR_OK);
  for (const char* t : {"by_default", "refusing"}) {
    f.shrink_isr_to_leader(t);
  }
  f.now += 600ms;
  f.keep_alive({1, 2});
  f.now += 600ms;
  f.st->expire_leases(f.now);
  BOOST_TEST(f.partition("by_default", 0).leader() == f.node(1));
  BOOST_TEST(f.partition("refusing", 0).leader() == -1);
}

namespace {

/// "t" on node 0, being moved to nodes 1 and 2: node 1 is in sync and leads
/// (a preferred election), node 0 is in the ISR only if `keep_original`.
void move_half_way(cluster_fixture& f, bool keep_original) {
  BOOST_REQUIRE(f.reassign({f.node(1), f.node(2)}).results(0).error() == cv1::COORDINATOR_OK);
  BOOST_REQUIRE(f.alter_isr(0, f.partition("t", 0), {f.node(0), f.node(1)}).results(0).error() == cv1::COORDINATOR_OK);
  cv1::ElectLeadersRequest elect;
  elect.set_type(cv1::PREFERRED);
  BOOST_REQUIRE(f.st->elect_leaders(elect).results(0).error() == cv1::COORDINATOR_OK);
  BOOST_REQUIRE(f.partition("t", 0).leader() == f.node(1));
  if (!keep_original)
    BOOST_REQUIRE(f.alter_isr(1, f.partition("t", 0), {f.node(1)}).results(0).error() == cv1::COORDINATOR_OK);
}

}  // namespace

BOOST_AUTO_TEST_CASE(cancelling_drops_a_leader_that_was_being_added) {
  cluster_fixture f;
  f.create("t", {f.node(0)});
  move_half_way(f, true);
  const auto before = f.partition("t", 0);
  BOOST_REQUIRE(f.reassign({}).results(0).error() == cv1::COORDINATOR_OK);
  const auto after = f.partition("t", 0);
  BOOST_TEST(after.replicas_size() == 1);
  BOOST_TEST(after.adding_replicas_size() == 0);
  BOOST_TEST(after.removing_replicas_size() == 0);
  BOOST_REQUIRE(after.isr_size() == 1);
  BOOST_TEST(after.isr(0) == f.node(0));
  BOOST_TEST(after.leader() == f.node(0));  // node 1 is no replica any more
  BOOST_TEST(after.leader_epoch() == before.leader_epoch() + 1);
  BOOST_TEST(after.partition_epoch() == before.partition_epoch() + 1);
}

BOOST_AUTO_TEST_CASE(replacing_a_reassignment_that_drops_every_in_sync_replica_needs_unclean_election) {
  cluster_fixture f;
  f.create("t", {f.node(0)});
  move_half_way(f, false);  // only node 1 is in sync
  const auto before = f.partition("t", 0);
  auto resp = f.reassign({f.node(2)});
  BOOST_TEST(resp.results(0).error() == cv1::INVALID_REPLICA_ASSIGNMENT);
  BOOST_TEST(resp.results(0).error_message() ==
             "Unable to change partition assignment for t:0 because it would require an unclean leader election.");
  BOOST_TEST(f.partition("t", 0).SerializeAsString() == before.SerializeAsString());
}

BOOST_AUTO_TEST_CASE(cancelling_when_only_added_replicas_are_in_sync_needs_unclean_election) {
  for (bool unclean : {false, true}) {
    BOOST_TEST_CONTEXT("unclean.leader.election.enable " << unclean) {
      cluster_fixture f;
      f.create("t", {f.node(0)}, {{"unclean.leader.election.enable", unclean ? "true" : "false"}});
      move_half_way(f, false);
      const auto before = f.partition("t", 0);
      auto r = f.reassign({});
      if (!unclean) {
        // As Kafka: the revert would need an unclean election; nothing changes.
        BOOST_TEST(r.results(0).error() == cv1::INVALID_REPLICA_ASSIGNMENT);
        BOOST_TEST(r.results(0).error_message() ==
                   "Unable to revert partition assignment for t:0 because it would require an unclean leader "
                   "election.");
        BOOST_TEST(f.partition("t", 0).SerializeAsString() == before.SerializeAsString());
        continue;
      }
      BOOST_REQUIRE(r.results(0).error() == cv1::COORDINATOR_OK);
      const auto after = f.partition("t", 0);
      BOOST_TEST(after.replicas_size() == 1);
      BOOST_TEST(after.adding_replicas_size() == 0);
      BOOST_REQUIRE(after.isr_size() == 1);
      BOOST_TEST(after.isr(0) == f.node(0));
      BOOST_TEST(after.leader() == f.node(0));
      BOOST_TEST(after.leader_epoch() == before.leader_epoch() + 1);
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()
