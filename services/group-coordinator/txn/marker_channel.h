#pragma once
// How transaction markers reach the partitions: the interface marker_sender
// writes through (txn_marker_rpc in the service, a fake in unit tests).
// Partition servers take them for their partitions (method
// write_txn_markers); the group coordinator owning a partition of
// __consumer_offsets takes them for it (method write_txn_markers_group).
#include <cstdint>
#include <functional>
#include <map>
#include <set>

#include "services/group-coordinator/txn/transaction_metadata.h"

namespace sluice::group_coordinator::txn {

/// Where one partition's marker goes now, by the metadata.
struct marker_route {
  enum class kind {
    partition_server,   // node: its leader
    group_coordinator,  // node: the instance owning this partition of __consumer_offsets
    unavailable,        // no leader or owner right now: try again later
    deleted,            // the topic or partition is gone: no marker needed (as Kafka)
  };
  kind where = kind::unavailable;
  std::int32_t node = -1;
  auto operator<=>(const marker_route&) const = default;
};

/// A partition's answer to its marker.
enum class marker_outcome {
  written,  // the control batch is durable (acks=all)
  retry,    // not leader, not enough replicas, a timeout, the node unreachable: again, later
  gone,     // the partition no longer exists: drop it from the transaction
  fenced,   // a newer producer epoch or coordinator epoch is there: this coordinator is stale, stop
};

/// One WriteTxnMarkers request: the markers of one transaction for the
/// partitions one node serves.
struct marker_request {
  std::int64_t producer_id = no_producer_id;
  std::int16_t producer_epoch = no_producer_epoch;
  bool commit = false;
  std::int32_t coordinator_epoch = 0;
  std::set<txn_partition> partitions;
};

/// Sends markers. Callbacks run on the owner's actor, once per send.
class marker_channel {
 public:
  virtual ~marker_channel() = default;
  virtual marker_route route(const txn_partition& partition) = 0;
  /// `done` gets an outcome for every partition of the request (a failed
  /// RPC: retry for all).
  virtual void send(marker_route to, marker_request request,
                    std::function<void(std::map<txn_partition, marker_outcome>)> done) = 0;
};

}  // namespace sluice::group_coordinator::txn
