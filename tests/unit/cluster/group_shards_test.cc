// Where transactional ids live: Kafka's partitionFor over __transaction_state,
// the same rule and partition count as for groups over __consumer_offsets.
#include <boost/test/unit_test.hpp>

#include "common/cluster/group_shards.h"

using namespace sluice::cluster;

BOOST_AUTO_TEST_SUITE(group_shards)

BOOST_AUTO_TEST_CASE(transactional_ids_map_to_partitions_as_kafka_does) {
  BOOST_TEST(transaction_state_topic == "__transaction_state");
  BOOST_TEST(default_transaction_state_partitions == 50);
  // Utils.abs(hashCode) % 50, values from Java's String.hashCode.
  BOOST_TEST(transaction_partition_for("hello") == 22);                // 99162322
  BOOST_TEST(transaction_partition_for("my-transactional-id") == 46);  // -959806496: abs first
  BOOST_TEST(transaction_partition_for("polygenelubricants") == 0);    // Integer.MIN_VALUE: abs is 0
  BOOST_TEST(transaction_partition_for("\xC3\xA9") == 33);             // é, one UTF-16 unit (233)
  BOOST_TEST(transaction_partition_for("hello", 7) == 99162322 % 7);
  // A transactional id and a group of the same name share a shard.
  BOOST_TEST(transaction_partition_for("txn-1") == offsets_partition_for("txn-1"));
}

BOOST_AUTO_TEST_CASE(both_internal_topics_are_group_sharded) {
  BOOST_TEST(is_group_sharded_topic("__consumer_offsets"));
  BOOST_TEST(is_group_sharded_topic("__transaction_state"));
  BOOST_TEST(!is_group_sharded_topic("__transaction_state2"));
  BOOST_TEST(!is_group_sharded_topic("orders"));
}

BOOST_AUTO_TEST_SUITE_END()
