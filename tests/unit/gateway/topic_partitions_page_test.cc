#include <boost/test/unit_test.hpp>

#include "common/protocol/error_code.h"
#include "services/gateway/handlers/topic_partitions_page.h"

using namespace sluice;
using protocol::describe_topic_partitions_request;
using protocol::error_code;

namespace {

// Partition servers 1-3 live; topic "a" with 3 partitions, "b" with 2
// (replicas 1,2,3 with 3 dead in b), "c" with 1.
cluster::metadata_view topics() {
  cluster::mv1::ClusterSnapshot s;
  s.set_version(1);
  for (int id : {1, 2}) {
    auto* ps = s.add_services();
    ps->set_kind(cluster::mv1::PARTITION_SERVER);
    ps->set_node_id(id);
  }
  auto add = [&](const std::string& name, int partitions, char id) {
    auto* t = s.add_topics();
    t->set_name(name);
    t->set_topic_id(std::string(16, id));
    for (int p = 0; p < partitions; ++p) {
      auto* info = t->add_partitions();
      info->set_partition(p);
      info->set_leader(1 + p % 2);
      info->set_leader_epoch(4);
      for (int r : {1, 2, 3}) info->add_replicas(r);
      for (int r : {1, 2}) info->add_isr(r);
    }
  };
  add("c", 1, 'c');
  add("a", 3, 'a');
  add("b", 2, 'b');
  return cluster::metadata_view(s);
}

describe_topic_partitions_request ask(std::vector<std::string> names, std::int32_t limit = 2000) {
  describe_topic_partitions_request r;
  for (auto& n : names) r.topics.push_back({std::move(n)});
  r.response_partition_limit = limit;
  r.cursor = std::nullopt;
  return r;
}

std::vector<std::string> names_of(const protocol::describe_topic_partitions_response& r) {
  std::vector<std::string> out;
  for (const auto& t : r.topics) out.push_back(t.name.value_or("(null)"));
  return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(topic_partitions_page)

BOOST_AUTO_TEST_CASE(named_topics_sorted_with_the_coordinators_replicas) {
  auto view = topics();
  auto r = gateway::topic_partitions_page(view, ask({"b", "missing", "a", "b", "bad name!"}));
  BOOST_TEST(names_of(r) == (std::vector<std::string>{"a", "b", "bad name!", "missing"}), boost::test_tools::per_element());
  BOOST_TEST(r.topics[0].partitions.size() == 3u);
  const auto& p = r.topics[1].partitions[1];
  BOOST_TEST(p.partition_index == 1);
  BOOST_TEST(p.leader_id == 2);
  BOOST_TEST(p.leader_epoch == 4);
  BOOST_TEST(p.replica_nodes == (std::vector<std::int32_t>{1, 2, 3}));
  BOOST_TEST(p.isr_nodes == (std::vector<std::int32_t>{1, 2}));
  BOOST_TEST(p.offline_replicas == (std::vector<std::int32_t>{3}));
  BOOST_TEST((p.eligible_leader_replicas && p.eligible_leader_replicas->empty()));
  BOOST_TEST(r.topics[2].error_code == static_cast<std::int16_t>(error_code::invalid_topic_exception));
  BOOST_TEST(r.topics[3].error_code == static_cast<std::int16_t>(error_code::unknown_topic_or_partition));
  BOOST_TEST(!r.next_cursor.has_value());
}

BOOST_AUTO_TEST_CASE(every_topic_paged_by_the_cursor) {
  auto view = topics();
  // 6 partitions in all, 4 a page: a0-a2 b0, then b1 c0.
  auto first = gateway::topic_partitions_page(view, ask({}, 4));
  BOOST_TEST(names_of(first) == (std::vector<std::string>{"a", "b"}), boost::test_tools::per_element());
  BOOST_TEST(first.topics[1].partitions.size() == 1u);
  BOOST_TEST_REQUIRE(first.next_cursor.has_value());
  BOOST_TEST(first.next_cursor->topic_name == "b");
  BOOST_TEST(first.next_cursor->partition_index == 1);

  auto next = ask({}, 4);
  next.cursor = describe_topic_partitions_request::topic_partition_cursor{"b", 1};
  auto second = gateway::topic_partitions_page(view, next);
  BOOST_TEST(names_of(second) == (std::vector<std::string>{"b", "c"}), boost::test_tools::per_element());
  BOOST_TEST(second.topics[0].partitions.size() == 1u);
  BOOST_TEST(second.topics[0].partitions[0].partition_index == 1);
  BOOST_TEST(!second.next_cursor.has_value());

  // A page that ends exactly at a topic's end names the next topic.
  auto exact = gateway::topic_partitions_page(view, ask({}, 3));
  BOOST_TEST_REQUIRE(exact.next_cursor.has_value());
  BOOST_TEST(exact.next_cursor->topic_name == "b");
  BOOST_TEST(exact.next_cursor->partition_index == 0);
}

BOOST_AUTO_TEST_CASE(a_cursor_outside_the_named_topics_is_an_invalid_request) {
  auto view = topics();
  auto r = ask({"a", "b"});
  r.cursor = describe_topic_partitions_request::topic_partition_cursor{"c", 0};
  auto answer = gateway::topic_partitions_page(view, r);
  BOOST_TEST_REQUIRE(answer.topics.size() == 2u);
  for (const auto& t : answer.topics) {
    BOOST_TEST(t.error_code == static_cast<std::int16_t>(error_code::invalid_request));
    BOOST_TEST(t.partitions.empty());
  }
  r.cursor = describe_topic_partitions_request::topic_partition_cursor{"a", -1};
  BOOST_TEST(gateway::topic_partitions_page(view, r).topics[0].error_code ==
             static_cast<std::int16_t>(error_code::invalid_request));
}

BOOST_AUTO_TEST_SUITE_END()
