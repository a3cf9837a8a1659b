#pragma once
// DescribeTopicPartitions' answer (KIP-966) from the metadata alone, by
// Kafka's DescribeTopicPartitionsRequestHandler and KRaftMetadataCache
// rules: topics sorted by name from the cursor on (every topic when the
// request names none, leaving out unknown ones then), at most
// max(min(limit, 2000), 1) partitions, the rest named by next_cursor; an
// unknown named topic is UNKNOWN_TOPIC_OR_PARTITION (INVALID_TOPIC_EXCEPTION
// for an invalid name); a cursor whose topic is not among the named ones, or
// with a negative partition, is INVALID_REQUEST for every named topic.
// Partitions as partition_metadata.h describes them; Sluice keeps no ELR, so
// both ELR lists are empty, as Kafka's without ELR. Pure, unit-tested.
#include "common/cluster/metadata_view.h"
#include "common/protocol/messages/describe_topic_partitions.h"

namespace sluice::gateway {

/// Kafka's default (and cap) of max.request.partition.size.limit.
inline constexpr std::int32_t max_partitions_per_answer = 2000;

protocol::describe_topic_partitions_response topic_partitions_page(
    const cluster::metadata_view& view, const protocol::describe_topic_partitions_request& request);

}  // namespace sluice::gateway
