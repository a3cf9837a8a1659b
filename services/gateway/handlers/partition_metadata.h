#pragma once
// One partition as Metadata and DescribeTopicPartitions describe it, from the
// coordinator's record (what `sluice topics describe` prints), by Kafka's
// rules (KRaftMetadataCache): replicas and ISR as held, offline replicas =
// replicas that are no live partition server, leader -1 with
// LEADER_NOT_AVAILABLE when the leader is none or not live. Metadata v0 also
// leaves dead replicas out of the replicas and ISR and says
// REPLICA_NOT_AVAILABLE then (Kafka's errorUnavailableEndpoints). Pure, so
// unit-tested without a cluster.
#include <cstdint>
#include <string_view>
#include <vector>

#include "common/cluster/metadata_view.h"
#include "common/protocol/error_code.h"

namespace sluice::gateway {

struct partition_metadata {
  protocol::error_code error = protocol::error_code::none;
  std::int32_t leader = -1;
  std::int32_t leader_epoch = -1;
  std::vector<std::int32_t> replicas;
  std::vector<std::int32_t> isr;
  std::vector<std::int32_t> offline;
};

enum class dead_replicas { listed, left_out };

/// Kafka's Topic.isInternal: clients leave these out of pattern subscriptions.
bool is_internal_topic(std::string_view name);

partition_metadata describe_partition(const cluster::metadata_view& view, const cluster::mv1::PartitionInfo& p,
                                      dead_replicas dead = dead_replicas::listed);

}  // namespace sluice::gateway
