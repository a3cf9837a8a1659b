// The coordinator's assignment of __consumer_offsets partitions to group
// coordinators: balanced, moved only as needed, epochs bumped on every
// change of hands and on re-registration, kept across a coordinator restart,
// and published in the metadata.
#include <boost/test/unit_test.hpp>

#include <map>
#include <set>

#include "common/cluster/group_shards.h"
#include "common/cluster/metadata_view.h"
#include "services/coordinator/group_shard_rules.h"
#include "tests/unit/coordinator/state_fixture.h"

using namespace sluice::coordinator;
using namespace std::chrono_literals;

namespace {

std::map<int, int> load(const mv1::GroupShards& g) {
  std::map<int, int> n;
  for (const auto& s : g.shards()) ++n[s.owner()];
  return n;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(group_shard_assignment)

BOOST_AUTO_TEST_CASE(spread_move_only_what_must_and_bump_epochs) {
  auto one = assign_group_shards({}, {7}, {}, 50);
  BOOST_REQUIRE(one);
  BOOST_TEST(load(*one)[7] == 50);
  BOOST_TEST(one->shards(0).epoch() == 1);

  // A second instance takes half; only the moved shards get a new epoch.
  auto two = assign_group_shards(*one, {7, 9}, {}, 50);
  BOOST_REQUIRE(two);
  BOOST_TEST(load(*two)[7] == 25);
  BOOST_TEST(load(*two)[9] == 25);
  for (int p = 0; p < 50; ++p) {
    const bool moved = two->shards(p).owner() != one->shards(p).owner();
    BOOST_TEST(two->shards(p).epoch() == one->shards(p).epoch() + (moved ? 1 : 0));
  }
  BOOST_TEST(!assign_group_shards(*two, {7, 9}, {}, 50));  // nothing to do

  // Instance 7 dies: only its shards move, all to 9.
  auto after = assign_group_shards(*two, {9}, {}, 50);
  BOOST_REQUIRE(after);
  for (int p = 0; p < 50; ++p) {
    BOOST_TEST(after->shards(p).owner() == 9);
    if (two->shards(p).owner() == 9) BOOST_TEST(after->shards(p).epoch() == two->shards(p).epoch());
  }

  // Re-registration fences the previous incarnation.
  auto renewed = assign_group_shards(*after, {9}, {9}, 50);
  BOOST_REQUIRE(renewed);
  BOOST_TEST(renewed->shards(3).epoch() == after->shards(3).epoch() + 1);

  // No instance left: owners -1, epochs kept (they never go back).
  auto none = assign_group_shards(*renewed, {}, {}, 50);
  BOOST_REQUIRE(none);
  BOOST_TEST(none->shards(3).owner() == -1);
  BOOST_TEST(none->shards(3).epoch() == renewed->shards(3).epoch() + 1);
}

BOOST_AUTO_TEST_CASE(three_instances_share_fifty_within_one) {
  auto g = assign_group_shards({}, {1, 2, 3}, {}, 50);
  BOOST_REQUIRE(g);
  for (auto [id, n] : load(*g)) BOOST_TEST((n == 16 || n == 17), "instance " << id << " has " << n);
}

BOOST_FIXTURE_TEST_CASE(coordinator_publishes_persists_and_moves_shards, test::state_fixture) {
  auto reg = [&](int id) { return state_fixture::reg(mv1::GROUP_COORDINATOR, id); };
  reg(5);
  BOOST_REQUIRE(!deltas.empty());
  BOOST_TEST(deltas.back().group_shards().shards_size() == 50);
  auto a = std::make_shared<sluice::cluster::metadata_view>(st->snapshot());
  BOOST_TEST(sluice::cluster::offsets_partition_owner(*a, 12) == 5);

  reg(6);
  auto b = std::make_shared<sluice::cluster::metadata_view>(st->snapshot());
  BOOST_TEST(load(b->snapshot().group_shards())[6] == 25);
  // The delta carries the whole table: a view built from deltas agrees.
  auto from_delta = a->apply(deltas.back());
  for (int p = 0; p < 50; ++p)
    BOOST_TEST(sluice::cluster::offsets_partition_owner(*from_delta, p) ==
               sluice::cluster::offsets_partition_owner(*b, p));

  // 6's lease runs out (5 keeps heartbeating): 5 serves everything again.
  now += 600ms;
  beat(5, st->snapshot().services(0).registration_epoch());
  now += 600ms;
  st->expire_leases(now);
  auto c = std::make_shared<sluice::cluster::metadata_view>(st->snapshot());
  for (int p = 0; p < 50; ++p) BOOST_TEST(sluice::cluster::offsets_partition_owner(*c, p) == 5);

  // Kept across a coordinator restart.
  const auto before = st->snapshot().group_shards().SerializeAsString();
  reopen();
  BOOST_TEST(st->snapshot().group_shards().SerializeAsString() == before);
}

BOOST_AUTO_TEST_SUITE_END()
