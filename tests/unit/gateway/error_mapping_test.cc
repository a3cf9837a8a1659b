#include <boost/test/unit_test.hpp>

#include "services/gateway/error_mapping.h"

using namespace sluice;
using protocol::error_code;

BOOST_AUTO_TEST_SUITE(error_mapping)

BOOST_AUTO_TEST_CASE(every_partition_error_has_a_kafka_meaning) {
  namespace pv1 = partition::v1;
  for (int e = pv1::PartitionError_MIN; e <= pv1::PartitionError_MAX; ++e) {
    if (!pv1::PartitionError_IsValid(e)) continue;
    auto kafka = gateway::to_kafka(static_cast<pv1::PartitionError>(e));
    BOOST_TEST((kafka != error_code::unknown_server_error), "PartitionError " << e);
    BOOST_TEST(((kafka == error_code::none) == (e == pv1::PARTITION_OK)));
  }
  BOOST_TEST((gateway::to_kafka(pv1::CORRUPT_MESSAGE) == error_code::corrupt_message));
  BOOST_TEST((gateway::to_kafka(pv1::OFFSET_OUT_OF_RANGE) == error_code::offset_out_of_range));
}

BOOST_AUTO_TEST_CASE(coordinator_errors) {
  namespace cv1 = coordinator::v1;
  BOOST_TEST((gateway::to_kafka(cv1::TOPIC_ALREADY_EXISTS) == error_code::topic_already_exists));
  BOOST_TEST((gateway::to_kafka(cv1::INVALID_TOPIC) == error_code::invalid_topic_exception));
  BOOST_TEST((gateway::to_kafka(cv1::INVALID_CONFIG) == error_code::invalid_config));
  BOOST_TEST((gateway::to_kafka(cv1::INVALID_PARTITIONS) == error_code::invalid_partitions));
}

BOOST_AUTO_TEST_CASE(transport_failures_are_retriable) {
  BOOST_TEST((gateway::to_kafka(messaging::rpc_status::unavailable) == error_code::not_leader_or_follower));
  BOOST_TEST((gateway::to_kafka(messaging::rpc_status::timed_out) == error_code::request_timed_out));
}

BOOST_AUTO_TEST_SUITE_END()
