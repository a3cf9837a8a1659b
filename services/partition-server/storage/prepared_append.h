#pragma once
// What an append will write, worked out before anything is written: the
// record set checked (a producer's in full, a leader's copy for integrity and
// order) and, for a producer's, stamped in place with its offsets, leader
// epoch and timestamps. Pure functions: no I/O, no state, time passed in.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "common/config/topic_config.h"
#include "common/protocol/record_batch_validator.h"
#include "services/partition-server/storage/leader_epoch_cache.h"
#include "services/partition-server/storage/segment.h"

namespace sluice::storage {

/// The batches of one append as the segment indexes them, and the leader
/// epochs they start (for the epoch cache), or why the set was refused
/// (then nothing was stamped and nothing may be written).
struct prepared_append {
  protocol::append_verdict verdict;
  std::vector<appended_batch> batches;
  std::vector<leader_epoch_cache::entry> epochs;  // (epoch, first offset), epochs growing
};

/// A producer's record set (one or more v2 batches, Produce v3+) for the
/// leader at `epoch` whose log ends at `next_offset`: every batch
/// validated against the topic's rules (max.message.bytes, timestamps,
/// keys on compacted topics), the whole set against segment.bytes; then
/// offsets assigned from `next_offset` and base offset and leader epoch
/// stamped IN PLACE, plus the max timestamp (LogAppendTime: now; CreateTime:
/// corrected to the records', as Kafka's LogValidator does) with a new CRC.
prepared_append prepare_produced(std::span<std::byte> set, offset next_offset, leader_epoch epoch,
                                 const config::log_config& cfg, std::int64_t now_ms);

/// A follower's copy of the leader's batches, taken as they are: each
/// intact, the first at or after `next_offset` (this log's end) and each
/// after the previous one. Gaps are allowed: the leader's cleaner removes
/// records and whole batches from compacted topics, so a fetch from the log
/// end can start at a later batch (Kafka checks the same way).
prepared_append prepare_replicated(std::span<const std::byte> set, offset next_offset);

}  // namespace sluice::storage
