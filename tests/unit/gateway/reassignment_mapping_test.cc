#include <boost/test/unit_test.hpp>

#include "common/cluster/errc.h"
#include "services/gateway/handlers/reassignment_mapping.h"

using namespace sluice;
using namespace sluice::gateway;
using protocol::error_code;
namespace cv1 = coordinator::v1;

namespace {

using alter_request = protocol::alter_partition_reassignments_request;
using list_request = protocol::list_partition_reassignments_request;

alter_request::reassignable_partition target(std::int32_t index, std::optional<std::vector<std::int32_t>> replicas) {
  return {.partition_index = index, .replicas = std::move(replicas)};
}

std::int16_t code_of(error_code e) { return static_cast<std::int16_t>(e); }

}  // namespace

BOOST_AUTO_TEST_SUITE(reassignment_mapping)

BOOST_AUTO_TEST_CASE(targets_and_cancels_reach_the_coordinator_refusals_do_not) {
  // given a move, a cancel (null), an empty list and a duplicate id
  alter_request request;
  request.topics.push_back({.name = "t",
                            .partitions = {target(0, std::vector<std::int32_t>{3, 4}), target(1, std::nullopt),
                                           target(2, std::vector<std::int32_t>{}),
                                           target(3, std::vector<std::int32_t>{5, 5})}});
  // when
  auto admin = reassignment_request(request);
  // then only the move and the cancel are sent; a cancel is an empty target
  BOOST_REQUIRE(admin.reassignments_size() == 2);
  BOOST_TEST(admin.reassignments(0).topic() == "t");
  BOOST_TEST(admin.reassignments(0).partition() == 0);
  BOOST_TEST(admin.reassignments(0).replicas_size() == 2);
  BOOST_TEST(admin.reassignments(0).replicas(0) == 3);
  BOOST_TEST(admin.reassignments(1).partition() == 1);
  BOOST_TEST(admin.reassignments(1).replicas_size() == 0);

  // when the coordinator accepts the move and finds nothing to cancel
  cv1::AlterPartitionReassignmentsResponse reply;
  auto* moved = reply.add_results();
  moved->set_topic("t");
  moved->set_partition(0);
  auto* cancel = reply.add_results();
  cancel->set_topic("t");
  cancel->set_partition(1);
  cancel->set_error(cv1::NO_REASSIGNMENT_IN_PROGRESS);
  auto answer = reassignment_answer(request, sluice::result<cv1::AlterPartitionReassignmentsResponse>(reply));
  // then every partition is answered in the request's order
  BOOST_TEST(answer.error_code == 0);
  BOOST_REQUIRE(answer.responses.size() == 1);
  const auto& parts = answer.responses[0].partitions;
  BOOST_REQUIRE(parts.size() == 4);
  BOOST_TEST(parts[0].error_code == 0);
  BOOST_TEST(!parts[0].error_message.has_value());
  BOOST_TEST(parts[1].error_code == code_of(error_code::no_reassignment_in_progress));
  BOOST_TEST(parts[2].error_code == code_of(error_code::invalid_replica_assignment));
  BOOST_TEST(parts[3].error_code == code_of(error_code::invalid_replica_assignment));
}

BOOST_AUTO_TEST_CASE(an_unreachable_coordinator_fails_the_sent_partitions_retriably) {
  alter_request request;
  request.topics.push_back({.name = "t", .partitions = {target(0, std::vector<std::int32_t>{1})}});
  auto answer = reassignment_answer(request, sluice::result<cv1::AlterPartitionReassignmentsResponse>(
                                                 cluster::make_error_code(cluster::errc::timed_out)));
  BOOST_TEST(answer.error_code == code_of(error_code::request_timed_out));
  BOOST_TEST(answer.responses[0].partitions[0].error_code == code_of(error_code::request_timed_out));
}

BOOST_AUTO_TEST_CASE(listing_null_is_all_empty_is_none) {
  list_request all;
  all.topics.reset();
  auto admin = listing_request(all);
  BOOST_REQUIRE(admin.has_value());
  BOOST_TEST(admin->partitions_size() == 0);

  list_request none;
  none.topics.emplace();
  BOOST_TEST(!listing_request(none).has_value());

  list_request some;
  some.topics.emplace();
  some.topics->push_back({.name = "t", .partition_indexes = {2}});
  admin = listing_request(some);
  BOOST_REQUIRE(admin.has_value());
  BOOST_REQUIRE(admin->partitions_size() == 1);
  BOOST_TEST(admin->partitions(0).topic() == "t");
  BOOST_TEST(admin->partitions(0).partitions(0) == 2);
}

BOOST_AUTO_TEST_CASE(listing_groups_by_topic_and_keeps_only_named_partitions) {
  cv1::ListPartitionReassignmentsResponse reply;
  auto add = [&](const std::string& topic, int partition) {
    auto* r = reply.add_reassignments();
    r->set_topic(topic);
    r->set_partition(partition);
    r->add_replicas(1);
    r->add_replicas(2);
    r->add_replicas(3);
    r->add_adding_replicas(3);
    r->add_removing_replicas(1);
  };
  add("a", 0);
  add("b", 0);
  add("a", 1);

  list_request all;
  all.topics.reset();
  auto answer = listing_answer(all, sluice::result<cv1::ListPartitionReassignmentsResponse>(reply));
  BOOST_REQUIRE(answer.topics.size() == 2);
  BOOST_TEST(answer.topics[0].name == "a");
  BOOST_REQUIRE(answer.topics[0].partitions.size() == 2);
  BOOST_TEST(answer.topics[0].partitions[1].partition_index == 1);
  BOOST_TEST(answer.topics[0].partitions[0].replicas == std::vector<std::int32_t>({1, 2, 3}));
  BOOST_TEST(answer.topics[0].partitions[0].adding_replicas == std::vector<std::int32_t>({3}));
  BOOST_TEST(answer.topics[0].partitions[0].removing_replicas == std::vector<std::int32_t>({1}));

  list_request some;
  some.topics.emplace();
  some.topics->push_back({.name = "a", .partition_indexes = {1}});
  answer = listing_answer(some, sluice::result<cv1::ListPartitionReassignmentsResponse>(reply));
  BOOST_REQUIRE(answer.topics.size() == 1);
  BOOST_REQUIRE(answer.topics[0].partitions.size() == 1);
  BOOST_TEST(answer.topics[0].partitions[0].partition_index == 1);
}

BOOST_AUTO_TEST_SUITE_END()
