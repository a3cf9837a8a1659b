#include <boost/test/unit_test.hpp>

#include "common/cluster/errc.h"
#include "services/gateway/handlers/election_mapping.h"

using namespace sluice;
using namespace sluice::gateway;
using protocol::error_code;
namespace cv1 = coordinator::v1;

namespace {

protocol::elect_leaders_request named(std::int8_t type, std::vector<std::pair<std::string, std::vector<std::int32_t>>> topics) {
  protocol::elect_leaders_request r;
  r.election_type = type;
  r.topic_partitions.emplace();
  for (auto& [name, parts] : topics) r.topic_partitions->push_back({.topic = name, .partitions = parts});
  return r;
}

cv1::PartitionResult partition_result(const std::string& topic, int partition, cv1::CoordinatorError e, std::string msg = {}) {
  cv1::PartitionResult r;
  r.set_topic(topic);
  r.set_partition(partition);
  r.set_error(e);
  r.set_error_message(msg);
  return r;
}

std::int16_t code_of(error_code e) { return static_cast<std::int16_t>(e); }

}  // namespace

BOOST_AUTO_TEST_SUITE(election_mapping)

BOOST_AUTO_TEST_CASE(named_partitions_and_type_reach_the_coordinator) {
  // given an unclean election for two partitions of one topic and one of another
  auto request = named(1, {{"a", {0, 2}}, {"b", {1}}});
  // when
  auto admin = election_request(request);
  // then
  BOOST_REQUIRE(admin.has_value());
  BOOST_TEST(admin->type() == cv1::UNCLEAN);
  BOOST_REQUIRE(admin->partitions_size() == 2);
  BOOST_TEST(admin->partitions(0).topic() == "a");
  BOOST_TEST(admin->partitions(0).partitions_size() == 2);
  BOOST_TEST(admin->partitions(0).partitions(1) == 2);
  BOOST_TEST(admin->partitions(1).topic() == "b");
}

BOOST_AUTO_TEST_CASE(null_partitions_mean_every_partition) {
  protocol::elect_leaders_request request;
  request.topic_partitions.reset();
  auto admin = election_request(request);
  BOOST_REQUIRE(admin.has_value());
  BOOST_TEST(admin->type() == cv1::PREFERRED);
  BOOST_TEST(admin->partitions_size() == 0);  // the coordinator's "all"
}

BOOST_AUTO_TEST_CASE(an_empty_list_asks_nothing_and_answers_nothing) {
  auto request = named(0, {});
  BOOST_TEST(!election_request(request).has_value());
  auto answer = election_answer(request, sluice::result<cv1::ElectLeadersResponse>(cv1::ElectLeadersResponse{}));
  BOOST_TEST(answer.error_code == 0);
  BOOST_TEST(answer.replica_election_results.empty());
}

BOOST_AUTO_TEST_CASE(unknown_election_type_is_refused_for_every_partition) {
  auto request = named(7, {{"a", {0, 1}}});
  BOOST_TEST(!election_request(request).has_value());
  auto answer = election_answer(request, sluice::result<cv1::ElectLeadersResponse>(cv1::ElectLeadersResponse{}));
  BOOST_TEST(answer.error_code == code_of(error_code::invalid_request));
  BOOST_REQUIRE(answer.replica_election_results.size() == 1);
  for (const auto& p : answer.replica_election_results[0].partition_result) {
    BOOST_TEST(p.error_code == code_of(error_code::invalid_request));
  }
}

BOOST_AUTO_TEST_CASE(named_answers_follow_the_request_order_with_kafka_codes) {
  // given the coordinator answers in another order
  auto request = named(0, {{"a", {1, 0}}});
  cv1::ElectLeadersResponse reply;
  *reply.add_results() = partition_result("a", 0, cv1::COORDINATOR_OK);
  *reply.add_results() = partition_result("a", 1, cv1::ELECTION_NOT_NEEDED, "already leads");
  // when
  auto answer = election_answer(request, sluice::result<cv1::ElectLeadersResponse>(reply));
  // then
  BOOST_TEST(answer.error_code == 0);
  BOOST_REQUIRE(answer.replica_election_results.size() == 1);
  const auto& parts = answer.replica_election_results[0].partition_result;
  BOOST_REQUIRE(parts.size() == 2);
  BOOST_TEST(parts[0].partition_id == 1);
  BOOST_TEST(parts[0].error_code == code_of(error_code::election_not_needed));
  BOOST_TEST(parts[0].error_message.value_or("") == "already leads");
  BOOST_TEST(parts[1].partition_id == 0);
  BOOST_TEST(parts[1].error_code == 0);
  BOOST_TEST(!parts[1].error_message.has_value());
}

BOOST_AUTO_TEST_CASE(all_partitions_leave_out_those_not_needing_an_election) {
  protocol::elect_leaders_request request;
  request.topic_partitions.reset();
  cv1::ElectLeadersResponse reply;
  *reply.add_results() = partition_result("a", 0, cv1::ELECTION_NOT_NEEDED);
  *reply.add_results() = partition_result("a", 1, cv1::COORDINATOR_OK);
  *reply.add_results() = partition_result("b", 0, cv1::PREFERRED_LEADER_NOT_AVAILABLE);
  *reply.add_results() = partition_result("a", 2, cv1::COORDINATOR_OK);
  auto answer = election_answer(request, sluice::result<cv1::ElectLeadersResponse>(reply));
  BOOST_REQUIRE(answer.replica_election_results.size() == 2);
  BOOST_TEST(answer.replica_election_results[0].topic == "a");
  BOOST_TEST(answer.replica_election_results[0].partition_result.size() == 2);
  BOOST_TEST(answer.replica_election_results[1].topic == "b");
  BOOST_TEST(answer.replica_election_results[1].partition_result[0].error_code ==
             code_of(error_code::preferred_leader_not_available));
}

BOOST_AUTO_TEST_CASE(an_unreachable_coordinator_is_a_retriable_timeout) {
  auto request = named(0, {{"a", {0}}});
  auto answer = election_answer(
      request, sluice::result<cv1::ElectLeadersResponse>(cluster::make_error_code(cluster::errc::unavailable)));
  BOOST_TEST(answer.error_code == code_of(error_code::request_timed_out));
  BOOST_TEST(answer.replica_election_results[0].partition_result[0].error_code ==
             code_of(error_code::request_timed_out));
}

BOOST_AUTO_TEST_SUITE_END()
