#pragma once
// Method write_txn_markers_group (201): the transaction coordinator ends a
// producer's transaction on the __consumer_offsets partitions it touched.
// For each marker and each partition this instance owns (and has loaded),
// the shard writes the marker (a control batch, through its own writer,
// fenced by its shard epoch) and, once durable, commits or drops the
// producer's pending offsets. Every partition gets its own answer, in
// request order; one we do not own, or are still loading, is NOT_LEADER
// (Kafka answers NOT_LEADER_OR_FOLLOWER there), and the caller retries
// once it finds the owner.
#include <functional>

#include "common/proto/partition.pb.h"
#include "services/group-coordinator/api/api_context.h"

namespace sluice::group_coordinator {

/// Answers `reply` once every partition's marker is written or failed.
void serve_write_txn_markers(const partition::v1::WriteTxnMarkersRequest& request, shard_directory& shards,
                             std::function<void(partition::v1::WriteTxnMarkersResponse)> reply);

/// A marker's outcome (record_log::write_marker, or why no shard wrote it)
/// as the partition error WriteTxnMarkers answers.
partition::v1::PartitionError marker_partition_error(error_code e);

}  // namespace sluice::group_coordinator
