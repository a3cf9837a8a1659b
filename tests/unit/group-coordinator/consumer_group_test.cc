// KIP-848 consumer groups with a fake clock: joining, the target assignment,
// revocation before reassignment, epochs and fencing, session expiry,
// static members away for a while (epoch -2).
#include <boost/test/unit_test.hpp>

#include "services/group-coordinator/consumer/consumer_group.h"

using namespace sluice::group_coordinator;
using namespace std::chrono_literals;

namespace {

int code_of(error_code e) { return static_cast<int>(e); }

std::size_t count(const member_assignment& a) {
  std::size_t n = 0;
  for (const auto& [t, ps] : a) n += ps.size();
  return n;
}

struct fixture {
  group_options options;
  topic_catalog topics;
  time_point now{};
  std::unique_ptr<consumer_group> group;

  fixture() {
    sluice::protocol::uuid id{};
    id.bytes[15] = std::byte{1};
    topics.add("orders", id, 6);
    group = std::make_unique<consumer_group>("g", options);
  }

  consumer_heartbeat_result beat(const std::string& member, std::int32_t epoch,
                                 std::optional<member_assignment> owned = std::nullopt,
                                 std::optional<std::string> instance_id = std::nullopt) {
    consumer_heartbeat hb;
    hb.member_id = member;
    hb.instance_id = std::move(instance_id);
    hb.member_epoch = epoch;
    hb.client_generates_member_id = true;
    if (epoch == 0) {
      hb.subscribed_topic_names = std::vector<std::string>{"orders"};
      hb.rebalance_timeout_ms = 30000;
    }
    hb.owned = std::move(owned);
    return group->heartbeat(std::move(hb), topics, now);
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(consumer_group_protocol)

BOOST_FIXTURE_TEST_CASE(first_member_gets_everything, fixture) {
  auto r = beat("a", 0);
  BOOST_TEST(code_of(r.error) == code_of(error_code::none));
  BOOST_TEST(r.member_epoch == 1);
  BOOST_REQUIRE(r.assignment);
  BOOST_TEST(count(*r.assignment) == 6u);
  BOOST_TEST(r.heartbeat_interval_ms == 5000);
  BOOST_TEST(std::string(group->state_name()) == "Stable");
  // Nothing changed: no assignment in the next answer.
  auto again = beat("a", 1, *r.assignment);
  BOOST_TEST(!again.assignment);
}

BOOST_FIXTURE_TEST_CASE(partitions_move_only_after_their_owner_lets_go, fixture) {
  auto a = beat("a", 0);
  auto b = beat("b", 0);
  BOOST_TEST(b.member_epoch == 2);
  BOOST_REQUIRE(b.assignment);
  BOOST_TEST(count(*b.assignment) == 0u);  // A still owns everything
  BOOST_TEST(std::string(group->state_name()) == "Reconciling");

  // A is told to give three up, keeping its epoch until it confirms.
  auto a2 = beat("a", 1, *a.assignment);
  BOOST_REQUIRE(a2.assignment);
  BOOST_TEST(count(*a2.assignment) == 3u);
  BOOST_TEST(a2.member_epoch == 1);
  // B still gets nothing while A holds them.
  BOOST_TEST(!beat("b", 2, member_assignment{}).assignment);
  // A confirms: it owns only its three now, and moves to epoch 2.
  auto a3 = beat("a", 1, *a2.assignment);
  BOOST_TEST(a3.member_epoch == 2);
  auto b2 = beat("b", 2, member_assignment{});
  BOOST_REQUIRE(b2.assignment);
  BOOST_TEST(count(*b2.assignment) == 3u);
  BOOST_TEST(std::string(group->state_name()) == "Stable");
}

BOOST_FIXTURE_TEST_CASE(epochs_are_checked, fixture) {
  auto a = beat("a", 0);
  BOOST_TEST(code_of(beat("a", 7).error) == code_of(error_code::fenced_member_epoch));
  BOOST_TEST(code_of(beat("nobody", 3).error) == code_of(error_code::unknown_member_id));
  BOOST_TEST(code_of(group->validate_commit("a", 1)) == code_of(error_code::none));
  BOOST_TEST(code_of(group->validate_commit("a", 0)) == code_of(error_code::stale_member_epoch));
  BOOST_TEST(code_of(group->validate_commit("nobody", 1)) == code_of(error_code::unknown_member_id));
}

BOOST_FIXTURE_TEST_CASE(leaving_and_expiry_give_partitions_back, fixture) {
  auto a = beat("a", 0);
  beat("b", 0);
  auto left = beat("b", -1);
  BOOST_TEST(left.member_epoch == -1);
  BOOST_TEST(group->members().size() == 1u);
  // A keeps all six: nothing to revoke, a new epoch.
  auto a2 = beat("a", 1, *a.assignment);
  BOOST_TEST(a2.member_epoch == group->assignment_epoch());

  now += options.consumer_session_timeout + 1ms;
  group->tick(topics, now);
  BOOST_TEST(group->empty());
  BOOST_TEST(std::string(group->state_name()) == "Empty");
}

BOOST_FIXTURE_TEST_CASE(more_partitions_start_a_new_epoch, fixture) {
  auto a = beat("a", 0);
  const auto epoch = group->group_epoch();
  sluice::protocol::uuid id{};
  id.bytes[15] = std::byte{1};
  topic_catalog grown;
  grown.add("orders", id, 8);
  group->tick(grown, now);
  BOOST_TEST(group->group_epoch() == epoch + 1);
  consumer_heartbeat hb;
  hb.member_id = "a";
  hb.member_epoch = a.member_epoch;
  hb.owned = *a.assignment;
  auto r = group->heartbeat(std::move(hb), grown, now);
  BOOST_REQUIRE(r.assignment);
  BOOST_TEST(count(*r.assignment) == 8u);
}

BOOST_FIXTURE_TEST_CASE(unknown_assignor_is_refused, fixture) {
  consumer_heartbeat hb;
  hb.member_id = "a";
  hb.member_epoch = 0;
  hb.server_assignor = "sticky";
  hb.subscribed_topic_names = std::vector<std::string>{"orders"};
  BOOST_TEST(code_of(group->heartbeat(std::move(hb), topics, now).error) == code_of(error_code::unsupported_assignor));
}

/// Two static members, "s1" (instance "i1") and "s2", settled on three partitions each.
struct static_fixture : fixture {
  member_assignment s1_owns, s2_owns;

  static_fixture() {
    auto s1 = beat("s1", 0, std::nullopt, "i1");
    auto s2 = beat("s2", 0, std::nullopt, "i2");
    auto s1_give = beat("s1", s1.member_epoch, *s1.assignment, "i1");  // told to give three up
    s1_owns = *s1_give.assignment;
    auto s1_done = beat("s1", s1.member_epoch, s1_owns, "i1");         // confirms: reaches the new epoch
    s2_owns = *beat("s2", s2.member_epoch, member_assignment{}, "i2").assignment;
    BOOST_REQUIRE(count(s1_owns) == 3u && count(s2_owns) == 3u);
    BOOST_REQUIRE(std::string(group->state_name()) == "Stable");
    (void)s1_done;
  }
};

BOOST_FIXTURE_TEST_CASE(static_member_away_keeps_its_partitions_and_comes_back_to_them, static_fixture) {
  const auto epoch = group->group_epoch();
  auto left = beat("s1", -2, std::nullopt, "i1");
  BOOST_TEST(left.member_epoch == -2);
  BOOST_TEST(group->group_epoch() == epoch);  // nobody rebalances
  BOOST_TEST(!beat("s2", epoch, s2_owns, "i2").assignment);
  // Its old member id is fenced; the instance id is not free for others...
  BOOST_TEST(code_of(beat("s1", epoch, s1_owns, "i1").error) == code_of(error_code::fenced_member_epoch));
  // ...but the same instance, restarted under a new member id, gets the same partitions back.
  auto back = beat("s1-restarted", 0, std::nullopt, "i1");
  BOOST_TEST(code_of(back.error) == code_of(error_code::none));
  BOOST_TEST(back.member_epoch == epoch);
  BOOST_REQUIRE(back.assignment);
  BOOST_TEST(*back.assignment == s1_owns);
  BOOST_TEST(group->group_epoch() == epoch);
  BOOST_TEST(group->members().count("s1") == 0u);
  BOOST_TEST(std::string(group->state_name()) == "Stable");
}

BOOST_FIXTURE_TEST_CASE(static_member_still_in_the_group_holds_its_instance_id, static_fixture) {
  auto dup = beat("other", 0, std::nullopt, "i1");
  BOOST_TEST(code_of(dup.error) == code_of(error_code::unreleased_instance_id));
}

BOOST_FIXTURE_TEST_CASE(static_member_away_past_its_session_timeout_is_removed, static_fixture) {
  const auto epoch = group->group_epoch();
  beat("s1", -2, std::nullopt, "i1");
  now += options.consumer_session_timeout / 2;
  beat("s2", epoch, s2_owns, "i2");
  now += options.consumer_session_timeout / 2 + 1ms;
  beat("s2", epoch, s2_owns, "i2");  // keeps s2 alive
  group->tick(topics, now);
  BOOST_TEST(group->members().count("s1") == 0u);
  BOOST_TEST(group->group_epoch() == epoch + 1);
  auto r = beat("s2", epoch, s2_owns, "i2");
  BOOST_REQUIRE(r.assignment);
  BOOST_TEST(count(*r.assignment) == 6u);  // s1's three were free: s2 takes them at once
}

BOOST_FIXTURE_TEST_CASE(dynamic_member_leaving_with_minus_two_just_leaves, fixture) {
  beat("a", 0);
  const auto epoch = group->group_epoch();
  beat("a", -2);
  BOOST_TEST(group->empty());
  BOOST_TEST(group->group_epoch() == epoch + 1);
}

BOOST_AUTO_TEST_SUITE_END()
