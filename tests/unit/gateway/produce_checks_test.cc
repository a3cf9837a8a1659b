#include <boost/test/unit_test.hpp>

#include "common/protocol/record_batch_builder.h"
#include "services/gateway/handlers/produce_checks.h"

using namespace sluice;
using namespace sluice::gateway;
using protocol::error_code;

namespace {

std::vector<std::byte> batch(bool transactional) {
  protocol::record_to_build record;
  record.key = "k";
  record.value = "v";
  protocol::batch_build_options options;
  options.transactional = transactional;
  options.producer_id = 7;
  options.producer_epoch = 0;
  options.base_sequence = 0;
  return protocol::build_batch(std::span(&record, 1), options);
}

protocol::produce_request request_with(std::vector<std::span<const std::byte>> partitions) {
  protocol::produce_request request;
  request.acks = -1;
  auto& topic = request.topic_data.emplace_back();
  topic.name = "t";
  std::int32_t index = 0;
  for (auto records : partitions) {
    auto& p = topic.partition_data.emplace_back();
    p.index = index++;
    p.records = records;
  }
  return request;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(produce_checks)

BOOST_AUTO_TEST_CASE(a_transactional_first_batch_makes_the_request_transactional) {
  auto plain = batch(false);
  auto txn = batch(true);
  BOOST_TEST(!has_transactional_records(request_with({plain, plain})));
  BOOST_TEST(has_transactional_records(request_with({plain, txn})));
  BOOST_TEST(has_transactional_records(request_with({txn})));
}

BOOST_AUTO_TEST_CASE(only_each_partitions_first_batch_counts_as_in_kafka) {
  auto plain = batch(false);
  auto txn = batch(true);
  std::vector<std::byte> both(plain);
  both.insert(both.end(), txn.begin(), txn.end());
  BOOST_TEST(!has_transactional_records(request_with({both})));
}

BOOST_AUTO_TEST_CASE(records_too_short_for_a_header_are_not_transactional) {
  auto txn = batch(true);
  auto request = request_with({std::span(txn).first(protocol::batch_layout::header_size - 1)});
  BOOST_TEST(!has_transactional_records(request));
  request.topic_data[0].partition_data[0].records = std::nullopt;
  BOOST_TEST(!has_transactional_records(request));
}

BOOST_AUTO_TEST_CASE(partition_checks) {
  auto plain = batch(false);
  auto request = request_with({plain});
  metadata::v1::PartitionInfo led;
  led.set_leader(3);
  metadata::v1::PartitionInfo leaderless;
  leaderless.set_leader(-1);
  const auto& records = request.topic_data[0].partition_data[0].records;
  BOOST_TEST((produce_partition_check(request, &led, records) == error_code::none));
  BOOST_TEST((produce_partition_check(request, nullptr, records) == error_code::unknown_topic_or_partition));
  BOOST_TEST((produce_partition_check(request, &leaderless, records) == error_code::not_leader_or_follower));
  BOOST_TEST((produce_partition_check(request, &led, std::nullopt) == error_code::invalid_record));
  request.acks = 2;
  BOOST_TEST((produce_partition_check(request, &led, records) == error_code::invalid_required_acks));
}

BOOST_AUTO_TEST_SUITE_END()
