#define BOOST_TEST_MODULE group_coordinator
#include <boost/test/unit_test.hpp>

#include <limits>
#include <map>
#include <set>

#include "services/group-coordinator/assignors/assignment.h"
#include "common/cluster/group_shards.h"
#include "common/cluster/metadata_view.h"

using namespace sluice::group_coordinator;
using sluice::cluster::java_string_hash;
using sluice::cluster::offsets_partition_for;

namespace {

std::size_t count(const member_assignment& a) {
  std::size_t n = 0;
  for (const auto& [t, ps] : a) n += ps.size();
  return n;
}

/// Every partition of `topics` assigned exactly once.
void check_complete(const group_assignment& g, const topic_partitions& topics) {
  std::set<std::pair<std::string, std::int32_t>> seen;
  for (const auto& [member, a] : g)
    for (const auto& [t, ps] : a)
      for (auto p : ps) BOOST_TEST(seen.insert({t, p}).second, t << "-" << p << " assigned twice");
  std::size_t total = 0;
  for (const auto& [t, n] : topics) total += static_cast<std::size_t>(n);
  BOOST_TEST(seen.size() == total);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(offsets_partition)

BOOST_AUTO_TEST_CASE(java_string_hash_codes) {
  BOOST_TEST(java_string_hash("") == 0);
  BOOST_TEST(java_string_hash("hello") == 99162322);
  BOOST_TEST(java_string_hash("\xC3\xA9") == 233);                // é, one UTF-16 unit
  BOOST_TEST(java_string_hash("\xF0\x9F\x98\x80") == 1772899);    // U+1F600, a surrogate pair
}

BOOST_AUTO_TEST_CASE(kafka_partition_rule) {
  BOOST_TEST(offsets_partition_for("hello") == 99162322 % 50);
  // "polygenelubricants".hashCode() is Integer.MIN_VALUE: Kafka's Utils.abs maps it to 0.
  BOOST_TEST(java_string_hash("polygenelubricants") == std::numeric_limits<std::int32_t>::min());
  BOOST_TEST(offsets_partition_for("polygenelubricants") == 0);
  BOOST_TEST(offsets_partition_for("hello", 7) == 99162322 % 7);
}

BOOST_AUTO_TEST_CASE(owner_is_the_coordinators_assignment_if_live) {
  sluice::metadata::v1::ClusterSnapshot snap;
  for (int id : {4, 5}) {
    auto* s = snap.add_services();
    s->set_kind(sluice::metadata::v1::GROUP_COORDINATOR);
    s->set_node_id(id);
  }
  for (int p = 0; p < 50; ++p) {
    auto* shard = snap.mutable_group_shards()->add_shards();
    shard->set_partition(p);
    shard->set_owner(p < 25 ? 4 : 6);  // 6 is not live (yet) in this view
    shard->set_epoch(3);
  }
  const sluice::cluster::metadata_view view(snap);
  BOOST_TEST(sluice::cluster::offsets_partition_owner(view, 0) == 4);
  BOOST_TEST(sluice::cluster::offsets_partition_owner(view, 30) == -1);
  BOOST_TEST(sluice::cluster::offsets_shard(view, 30)->epoch() == 3);
  BOOST_TEST(!sluice::cluster::offsets_shard(view, 50));
  BOOST_TEST(sluice::cluster::offsets_partition_owner(sluice::cluster::metadata_view({}), 3) == -1);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(assignors)

BOOST_AUTO_TEST_CASE(uniform_balances_a_homogeneous_group) {
  topic_partitions topics{{"t", 6}};
  std::vector<member_subscription> members{{"a", {"t"}, {}}, {"b", {"t"}, {}}, {"c", {"t"}, {}}};
  auto g = assign_uniform(members, topics);
  check_complete(g, topics);
  for (const auto& [m, a] : g) BOOST_TEST(count(a) == 2u);
}

BOOST_AUTO_TEST_CASE(uniform_is_sticky_when_a_member_joins) {
  topic_partitions topics{{"t", 6}};
  std::vector<member_subscription> members{{"a", {"t"}, {}}, {"b", {"t"}, {}}, {"c", {"t"}, {}}};
  auto before = assign_uniform(members, topics);
  for (auto& m : members) m.current = before[m.member_id];
  members.push_back({"d", {"t"}, {}});
  auto after = assign_uniform(members, topics);
  check_complete(after, topics);
  std::size_t kept = 0;
  for (const auto& m : {"a", "b", "c"}) {
    for (auto p : after[m]["t"])
      kept += std::count(before[m]["t"].begin(), before[m]["t"].end(), p);
  }
  BOOST_TEST(kept == 5u);  // 2,2,1,1: only the one partition the newcomer needs moved
  for (const auto& [m, a] : after) BOOST_TEST((count(a) == 1u || count(a) == 2u));
}

BOOST_AUTO_TEST_CASE(uniform_respects_subscriptions) {
  topic_partitions topics{{"t1", 2}, {"t2", 2}, {"unsubscribed", 3}};
  std::vector<member_subscription> members{{"a", {"t1"}, {}}, {"b", {"t1", "t2"}, {}}};
  auto g = assign_uniform(members, {{"t1", 2}, {"t2", 2}});
  check_complete(g, {{"t1", 2}, {"t2", 2}});
  BOOST_TEST(g["a"].count("t2") == 0u);
  BOOST_TEST(count(g["a"]) == 2u);
  BOOST_TEST(count(g["b"]) == 2u);
  auto with_unsubscribed = assign_uniform(members, topics);
  for (const auto& [m, a] : with_unsubscribed) BOOST_TEST(a.count("unsubscribed") == 0u);
}

BOOST_AUTO_TEST_CASE(range_gives_contiguous_ranges) {
  std::vector<member_subscription> members{{"m2", {"t"}, {}}, {"m1", {"t"}, {}}, {"other", {"u"}, {}}};
  auto g = assign_range(members, {{"t", 5}, {"u", 1}});
  BOOST_TEST(g["m1"]["t"] == (std::vector<std::int32_t>{0, 1, 2}), boost::test_tools::per_element());
  BOOST_TEST(g["m2"]["t"] == (std::vector<std::int32_t>{3, 4}), boost::test_tools::per_element());
  BOOST_TEST(g["other"]["u"] == (std::vector<std::int32_t>{0}), boost::test_tools::per_element());
  BOOST_TEST(g["other"].count("t") == 0u);
}

BOOST_AUTO_TEST_SUITE_END()

#include "services/group-coordinator/classic/consumer_protocol.h"

BOOST_AUTO_TEST_SUITE(consumer_protocol_bytes)

BOOST_AUTO_TEST_CASE(subscription_roundtrip_and_assignment_layout) {
  auto topics = subscription_topics(encode_subscription({"orders", "payments"}));
  BOOST_TEST(topics == (std::vector<std::string>{"orders", "payments"}), boost::test_tools::per_element());
  // ConsumerProtocolAssignment v0: version, [topic, [partition]], null user data.
  const std::string expected("\x00\x00" "\x00\x00\x00\x01" "\x00\x01t" "\x00\x00\x00\x02"
                             "\x00\x00\x00\x00" "\x00\x00\x00\x03" "\xff\xff\xff\xff",
                             25);
  BOOST_TEST(encode_assignment({{"t", {0, 3}}}) == expected);
  BOOST_TEST(subscription_topics("\x00").empty());  // cut short: nothing, not garbage
}

BOOST_AUTO_TEST_SUITE_END()
