#pragma once
// A follower's pull loop from one leader's partition server.
#include <cstdint>
#include <string>

#include <caf/event_based_actor.hpp>

#include "services/partition-server/actors/type_ids.h"

namespace sluice::partition_server {

/// One per source server (Kafka's ReplicaFetcherThread): every partition
/// this server follows from that leader rides in one Fetch RPC with
/// replica_id = `self_node` (long poll: 500 ms, 1 byte). Each response is
/// split per partition and handed to the partition actors (replicate_atom),
/// which append, truncate or restart their logs and answer their new
/// position; only when all have answered does the next fetch go out, so a
/// partition never has two fetches in flight. Errors back off 100 ms.
///
///   (follow_atom, topic, partition, actor)    start copying a partition
///   (unfollow_atom, topic, partition)         stop (leader moved, replica gone)
///   (url_atom, rpc_url)                       the leader's server moved
/// Exits when the manager tells it to; partitions it drops need no cleanup.
caf::behavior replica_fetcher(caf::event_based_actor* self, node_id self_node, node_id leader_node,
                              std::string leader_url);

}  // namespace sluice::partition_server
