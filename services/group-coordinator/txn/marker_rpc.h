#pragma once
// The marker_channel of the service: routes each partition by the current
// metadata (a topic's partition to its leader; a partition of
// __consumer_offsets to the group coordinator instance that owns it) and
// sends WriteTxnMarkers over RPC: method write_txn_markers to partition
// servers, write_txn_markers_group to group coordinators (the same
// partition.proto messages). Answers come back through `post`, on the
// service's actor.
#include <functional>
#include <memory>

#include "common/cluster/cluster_client.h"
#include "common/cluster/service_clients.h"
#include "common/proto/partition.pb.h"
#include "services/group-coordinator/txn/marker_channel.h"

namespace sluice::group_coordinator::txn {

/// Kafka's handling of a partition's marker error
/// (TransactionMarkerRequestCompletionHandler), as an outcome.
marker_outcome outcome_of(partition::v1::PartitionError e);

/// Owned by the transaction service, used on its actor.
class marker_rpc : public marker_channel {
 public:
  using post_fn = std::function<void(std::function<void()>)>;
  marker_rpc(cluster::cluster_client& cluster, post_fn post);

  marker_route route(const txn_partition& partition) override;
  void send(marker_route to, marker_request request,
            std::function<void(std::map<txn_partition, marker_outcome>)> done) override;

  /// Drops clients of services that left the cluster.
  void forget_stale(const cluster::metadata_view& view);

 private:
  cluster::cluster_client& cluster_;
  post_fn post_;
  cluster::service_clients partition_servers_{cluster::mv1::PARTITION_SERVER};
  cluster::service_clients group_coordinators_{cluster::mv1::GROUP_COORDINATOR};
};

}  // namespace sluice::group_coordinator::txn
