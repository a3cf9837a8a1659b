#pragma once
// Explicit replica assignments in CreateTopics and CreatePartitions, turned
// into the coordinator's ReplicaAssignment lists. The coordinator checks the
// ids (live partition servers, no duplicates, one replica count); what is
// checked here is only what the coordinator's form cannot express: Kafka's
// "assignments or counts, not both" rule, and a non-null but wrong-sized
// CreatePartitions list, which would otherwise read as "place them for me".
// Replica ids are partition-server node ids (see reassignment_mapping.h).
#include <optional>
#include <string>

#include "common/protocol/messages/create_partitions.h"
#include "common/protocol/messages/create_topics.h"
#include "coordinator.pb.h"
#include "services/gateway/handlers/reassignment_mapping.h"

namespace sluice::gateway {

/// Fills `spec` (name already set) with the topic's partition count,
/// replication factor and assignments, or says why Kafka refuses it.
std::optional<refusal> fill_topic_spec(const protocol::create_topics_request::creatable_topic& topic,
                                       coordinator::v1::TopicSpec& spec);

/// Fills `update` (name already set) with the new count and the placement of
/// the new partitions. `current_count` is the topic's partition count as this
/// gateway sees it (nullopt: unknown topic, the coordinator will say so).
std::optional<refusal> fill_partition_update(const protocol::create_partitions_request::create_partitions_topic& topic,
                                             std::optional<int> current_count,
                                             coordinator::v1::PartitionCountUpdate& update);

}  // namespace sluice::gateway
