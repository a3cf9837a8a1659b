#pragma once
// Creating the group coordinator's internal topics (__consumer_offsets,
// __transaction_state) when the first instance that owns a shard finds one
// missing: compacted, with the configured replication factor capped by the
// live partition servers.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "common/cluster/coordinator_client.h"
#include "common/cluster/metadata_view.h"

namespace sluice::group_coordinator {

struct internal_topic_spec {
  std::string name;
  std::int32_t partitions = 50;
  std::int32_t replication_factor = 3;
  std::int32_t segment_bytes = 104857600;
  /// min.insync.replicas, capped by the replication factor; none: the default.
  std::optional<std::int32_t> min_insync_replicas;
};

/// Creates the topic unless `view` has it, at most once per second
/// (`next_attempt` remembers when); failures are logged and retried by the
/// next call.
void ensure_internal_topic(const cluster::metadata_view& view, cluster::coordinator_client& coordinator,
                           const internal_topic_spec& spec, std::chrono::steady_clock::time_point& next_attempt);

}  // namespace sluice::group_coordinator
