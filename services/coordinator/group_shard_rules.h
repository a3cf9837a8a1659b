#pragma once
// Which group coordinator serves each partition of __consumer_offsets.
// Pure: the coordinator calls it whenever the live group coordinators change.
#include <cstdint>
#include <optional>
#include <set>
#include <vector>

#include "common/proto/metadata.pb.h"

namespace sluice::coordinator {

namespace mv1 = sluice::metadata::v1;

/// The assignment after the live group coordinators became `live`, or
/// nullopt when it stays as it is. Shards of live owners stay put unless
/// the counts differ by more than one (a new instance takes its share from
/// the busiest); shards of gone owners go to the least loaded. A shard whose
/// owner changes, or is in `renewed` (it registered again: its previous
/// incarnation must be fenced), gets epoch + 1. With no live instance every
/// shard keeps its epoch with owner -1, so epochs never go back.
std::optional<mv1::GroupShards> assign_group_shards(const mv1::GroupShards& current,
                                                    const std::vector<std::int32_t>& live,
                                                    const std::set<std::int32_t>& renewed, std::int32_t partitions);

}  // namespace sluice::coordinator
