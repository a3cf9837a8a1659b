#pragma once
// The metadata checks Kafka's request layer (KafkaApis) makes before a
// transaction request reaches a coordinator, which the gateway makes here
// since it holds the metadata. Pure, so unit-tested without a cluster.
#include <optional>
#include <vector>

#include "common/cluster/metadata_view.h"
#include "common/protocol/messages/add_partitions_to_txn.h"
#include "common/protocol/messages/txn_offset_commit.h"

namespace sluice::gateway {

using txn_topics = std::vector<protocol::add_partitions_to_txn_request::add_partitions_to_txn_topic>;
using txn_topic_results = std::vector<protocol::add_partitions_to_txn_response::add_partitions_to_txn_topic_result>;

/// AddPartitionsToTxn: when a partition of the transaction is not in the
/// metadata, the transaction is not attempted: UNKNOWN_TOPIC_OR_PARTITION
/// for the missing partitions, OPERATION_NOT_ATTEMPTED for the others.
/// nullopt when every partition exists (the coordinator decides).
std::optional<txn_topic_results> refuse_unknown_partitions(const cluster::metadata_view& view,
                                                           const txn_topics& topics);

/// Every partition of `topics` answering `error` (the transaction's result
/// when its coordinator cannot be reached, or answers one error).
txn_topic_results results_for_all(const txn_topics& topics, std::int16_t error);

/// TxnOffsetCommit: removes from `request` the partitions the metadata does
/// not know (a topic left with none goes too) and returns their answers,
/// UNKNOWN_TOPIC_OR_PARTITION; the rest go to the group's coordinator.
protocol::txn_offset_commit_response take_unknown_partitions(const cluster::metadata_view& view,
                                                             protocol::txn_offset_commit_request& request);

}  // namespace sluice::gateway
