#include <boost/test/unit_test.hpp>

#include "services/gateway/handlers/replica_assignments.h"

using namespace sluice;
using namespace sluice::gateway;
using protocol::error_code;
namespace cv1 = coordinator::v1;

namespace {

using creatable_topic = protocol::create_topics_request::creatable_topic;
using partitions_topic = protocol::create_partitions_request::create_partitions_topic;

creatable_topic with_assignments(std::int32_t partitions, std::int16_t rf) {
  creatable_topic t;
  t.name = "t";
  t.num_partitions = partitions;
  t.replication_factor = rf;
  t.assignments.push_back({.partition_index = 0, .broker_ids = {3, 4}});
  t.assignments.push_back({.partition_index = 1, .broker_ids = {4, 5}});
  return t;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(replica_assignments)

BOOST_AUTO_TEST_CASE(assignments_are_forwarded_in_order) {
  cv1::TopicSpec spec;
  auto refused = fill_topic_spec(with_assignments(-1, -1), spec);
  BOOST_TEST(!refused.has_value());
  BOOST_TEST(spec.partitions() == -1);
  BOOST_TEST(spec.replication_factor() == -1);
  BOOST_REQUIRE(spec.assignments_size() == 2);
  BOOST_TEST(spec.assignments(1).partition() == 1);
  BOOST_REQUIRE(spec.assignments(1).replicas_size() == 2);
  BOOST_TEST(spec.assignments(1).replicas(0) == 4);
  BOOST_TEST(spec.assignments(1).replicas(1) == 5);
}

BOOST_AUTO_TEST_CASE(assignments_with_counts_are_an_invalid_request) {
  for (auto [partitions, rf] : {std::pair<std::int32_t, std::int16_t>{2, -1}, {-1, 2}, {2, 2}}) {
    cv1::TopicSpec spec;
    auto refused = fill_topic_spec(with_assignments(partitions, rf), spec);
    BOOST_REQUIRE(refused.has_value());
    BOOST_TEST((refused->error == error_code::invalid_request));
  }
}

BOOST_AUTO_TEST_CASE(counts_without_assignments_pass_through) {
  creatable_topic t;
  t.num_partitions = 6;
  t.replication_factor = 3;
  cv1::TopicSpec spec;
  BOOST_TEST(!fill_topic_spec(t, spec).has_value());
  BOOST_TEST(spec.partitions() == 6);
  BOOST_TEST(spec.replication_factor() == 3);
  BOOST_TEST(spec.assignments_size() == 0);
}

BOOST_AUTO_TEST_CASE(new_partitions_are_numbered_after_the_existing_ones) {
  partitions_topic t;
  t.name = "t";
  t.count = 4;
  t.assignments = std::vector<protocol::create_partitions_request::create_partitions_assignment>{
      {.broker_ids = {1, 2}}, {.broker_ids = {2, 3}}};
  cv1::PartitionCountUpdate update;
  BOOST_TEST(!fill_partition_update(t, 2, update).has_value());
  BOOST_TEST(update.count() == 4);
  BOOST_REQUIRE(update.assignments_size() == 2);
  BOOST_TEST(update.assignments(0).partition() == 2);
  BOOST_TEST(update.assignments(1).partition() == 3);
  BOOST_TEST(update.assignments(1).replicas(1) == 3);
}

BOOST_AUTO_TEST_CASE(a_wrong_number_of_new_assignments_is_refused) {
  partitions_topic t;
  t.name = "t";
  t.count = 5;
  t.assignments = std::vector<protocol::create_partitions_request::create_partitions_assignment>{{.broker_ids = {1}}};
  cv1::PartitionCountUpdate update;
  auto refused = fill_partition_update(t, 2, update);
  BOOST_REQUIRE(refused.has_value());
  BOOST_TEST((refused->error == error_code::invalid_replica_assignment));

  // A non-null empty list is not "place them for me".
  t.assignments.emplace();
  BOOST_TEST(fill_partition_update(t, 2, update).has_value());

  // Null is.
  t.assignments.reset();
  cv1::PartitionCountUpdate automatic;
  BOOST_TEST(!fill_partition_update(t, 2, automatic).has_value());
  BOOST_TEST(automatic.assignments_size() == 0);
}

BOOST_AUTO_TEST_SUITE_END()
