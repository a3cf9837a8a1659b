#include <boost/test/unit_test.hpp>

#include <map>
#include <set>

#include "services/coordinator/topic_rules.h"

using namespace sluice::coordinator;

BOOST_AUTO_TEST_SUITE(topic_rules)

BOOST_AUTO_TEST_CASE(topic_names_follow_kafka) {
  BOOST_TEST(check_topic_name("orders").empty());
  BOOST_TEST(check_topic_name("a.b_c-D9").empty());
  BOOST_TEST(check_topic_name(std::string(249, 'x')).empty());
  BOOST_TEST(!check_topic_name(std::string(250, 'x')).empty());
  BOOST_TEST(!check_topic_name("").empty());
  BOOST_TEST(!check_topic_name(".").empty());
  BOOST_TEST(!check_topic_name("..").empty());
  BOOST_TEST(!check_topic_name("a b").empty());
  BOOST_TEST(!check_topic_name("a/b").empty());
  BOOST_TEST(!check_topic_name("ü").empty());
}

BOOST_AUTO_TEST_CASE(dot_and_underscore_collide) {
  BOOST_TEST(topic_names_collide("a.b", "a_b"));
  BOOST_TEST(!topic_names_collide("a.b", "a-b"));
  BOOST_TEST(!topic_names_collide("ab", "a_b"));
}

BOOST_AUTO_TEST_CASE(topic_ids_are_nonzero_and_distinct) {
  std::mt19937_64 rng(42);
  std::set<std::string> ids;
  for (int i = 0; i < 1000; ++i) {
    auto id = new_topic_id(rng);
    BOOST_REQUIRE(id.size() == 16u);
    BOOST_TEST(id != std::string(16, '\0'));
    BOOST_TEST(base64url(id).front() != '-');
    ids.insert(id);
  }
  BOOST_TEST(ids.size() == 1000u);
  BOOST_TEST(new_cluster_id(rng).size() == 22u);
}

BOOST_AUTO_TEST_CASE(base64url_matches_known_vector) {
  BOOST_TEST(base64url("\xfb\xff") == "-_8");
  BOOST_TEST(base64url("Man") == "TWFu");
}

BOOST_AUTO_TEST_CASE(round_robin_spreads_leaders_and_replicas) {
  auto a = assign_replicas({1, 2, 3}, 0, 6, 2, 0);
  BOOST_REQUIRE(a.size() == 6u);
  std::map<int, int> leaders;
  for (const auto& r : a) {
    BOOST_REQUIRE(r.size() == 2u);
    BOOST_TEST(r[0] != r[1]);
    ++leaders[r[0]];
  }
  BOOST_TEST(leaders[1] == 2);
  BOOST_TEST(leaders[2] == 2);
  BOOST_TEST(leaders[3] == 2);
  // Added partitions continue the rotation where the numbering continues.
  auto more = assign_replicas({1, 2, 3}, 6, 1, 1, 0);
  BOOST_TEST(more[0][0] == 1);
}

BOOST_AUTO_TEST_SUITE_END()
