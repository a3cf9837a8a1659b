#include <boost/test/unit_test.hpp>

#include "common/protocol/error_code.h"
#include "services/gateway/handlers/txn_partition_checks.h"
#include "services/gateway/txn_routing.h"

using namespace sluice;
using namespace sluice::gateway;
using protocol::error_code;

namespace {

// Topic "t" with partitions 0 and 1.
cluster::mv1::ClusterSnapshot with_topic() {
  cluster::mv1::ClusterSnapshot s;
  s.set_version(1);
  auto* t = s.add_topics();
  t->set_name("t");
  for (int p = 0; p < 2; ++p) {
    auto* info = t->add_partitions();
    info->set_partition(p);
    info->set_leader(100);
  }
  return s;
}

txn_topics topics(std::initializer_list<std::pair<const char*, std::vector<std::int32_t>>> list) {
  txn_topics out;
  for (const auto& [name, partitions] : list) out.push_back({.name = name, .partitions = partitions});
  return out;
}

std::int16_t err(error_code e) { return static_cast<std::int16_t>(e); }

}  // namespace

BOOST_AUTO_TEST_SUITE(txn_partition_checks)

BOOST_AUTO_TEST_CASE(known_partitions_go_to_the_coordinator) {
  cluster::metadata_view view(with_topic());
  BOOST_TEST(!refuse_unknown_partitions(view, topics({{"t", {0, 1}}})).has_value());
}

BOOST_AUTO_TEST_CASE(one_unknown_partition_fails_the_transaction_and_the_rest_is_not_attempted) {
  cluster::metadata_view view(with_topic());
  auto refused = refuse_unknown_partitions(view, topics({{"t", {0, 2}}, {"nope", {0}}}));
  BOOST_REQUIRE(refused.has_value());
  BOOST_REQUIRE(refused->size() == 2u);
  BOOST_TEST((*refused)[0].name == "t");
  BOOST_REQUIRE((*refused)[0].results_by_partition.size() == 2u);
  BOOST_TEST((*refused)[0].results_by_partition[0].partition_index == 0);
  BOOST_TEST((*refused)[0].results_by_partition[0].partition_error_code == err(error_code::operation_not_attempted));
  BOOST_TEST((*refused)[0].results_by_partition[1].partition_index == 2);
  BOOST_TEST((*refused)[0].results_by_partition[1].partition_error_code ==
             err(error_code::unknown_topic_or_partition));
  BOOST_TEST((*refused)[1].name == "nope");
  BOOST_TEST((*refused)[1].results_by_partition[0].partition_error_code ==
             err(error_code::unknown_topic_or_partition));
}

BOOST_AUTO_TEST_CASE(a_failed_call_answers_every_partition) {
  auto results = results_for_all(topics({{"t", {0, 1}}, {"u", {3}}}), err(error_code::coordinator_not_available));
  BOOST_REQUIRE(results.size() == 2u);
  BOOST_TEST(results[0].results_by_partition.size() == 2u);
  BOOST_TEST(results[1].results_by_partition[0].partition_index == 3);
  for (const auto& t : results)
    for (const auto& p : t.results_by_partition)
      BOOST_TEST(p.partition_error_code == err(error_code::coordinator_not_available));
}

BOOST_AUTO_TEST_CASE(txn_offset_commit_keeps_only_known_partitions) {
  cluster::metadata_view view(with_topic());
  protocol::txn_offset_commit_request request;
  request.group_id = "g";
  auto& t = request.topics.emplace_back();
  t.name = "t";
  t.partitions.push_back({.partition_index = 0, .committed_offset = 5});
  t.partitions.push_back({.partition_index = 9, .committed_offset = 6});
  auto& u = request.topics.emplace_back();
  u.name = "gone";
  u.partitions.push_back({.partition_index = 0, .committed_offset = 7});

  auto answered = take_unknown_partitions(view, request);
  BOOST_REQUIRE(request.topics.size() == 1u);
  BOOST_REQUIRE(request.topics[0].partitions.size() == 1u);
  BOOST_TEST(request.topics[0].partitions[0].partition_index == 0);
  BOOST_REQUIRE(answered.topics.size() == 2u);
  BOOST_TEST(answered.topics[0].name == "t");
  BOOST_TEST(answered.topics[0].partitions[0].partition_index == 9);
  BOOST_TEST(answered.topics[1].name == "gone");
  for (const auto& topic : answered.topics)
    for (const auto& p : topic.partitions) BOOST_TEST(p.error_code == err(error_code::unknown_topic_or_partition));

  protocol::txn_offset_commit_request all_known;
  all_known.topics.emplace_back().name = "t";
  all_known.topics[0].partitions.push_back({.partition_index = 1, .committed_offset = 1});
  BOOST_TEST(take_unknown_partitions(view, all_known).topics.empty());
  BOOST_TEST(all_known.topics.size() == 1u);
}

BOOST_AUTO_TEST_CASE(old_clients_get_invalid_producer_epoch_for_producer_fenced) {
  const auto fenced = err(error_code::producer_fenced);
  BOOST_TEST(producer_fenced_for(fenced, 1, 2) == err(error_code::invalid_producer_epoch));
  BOOST_TEST(producer_fenced_for(fenced, 2, 2) == fenced);
  BOOST_TEST(producer_fenced_for(fenced, 3, 4) == err(error_code::invalid_producer_epoch));
  BOOST_TEST(producer_fenced_for(err(error_code::concurrent_transactions), 0, 2) ==
             err(error_code::concurrent_transactions));
}

BOOST_AUTO_TEST_SUITE_END()
