#pragma once
// Replay of a shard's partition of __consumer_offsets: whole record batches,
// as the partition server returns them, applied to the shard in log order
// (Kafka's CoordinatorLoaderImpl). A plain batch's records apply as they
// are; a transactional batch's offsets are pending for its producer; a
// control batch (a transaction marker) commits or aborts the producer's
// pending offsets. The new owner of a shard runs it while loading.
#include <cstddef>
#include <cstdint>
#include <span>

#include "services/group-coordinator/group_shard.h"

namespace sluice::group_coordinator {

/// Applies every batch of `batches` (whole batches, from `next_offset`) to
/// `shard` and moves `next_offset` past each one. A batch or record it
/// cannot read throws std::runtime_error (or protocol::decode_error) with
/// `next_offset` at that batch: serving without it would answer wrong
/// offsets.
void replay_batches(group_shard& shard, std::span<const std::byte> batches, const topic_catalog& topics,
                    time_point now, std::int64_t& next_offset);

}  // namespace sluice::group_coordinator
