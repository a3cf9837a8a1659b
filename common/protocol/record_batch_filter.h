#pragma once
// Re-encoding a record batch with only some of its records: what log
// compaction (the partition server's log cleaner) does to each batch.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "common/protocol/record_batch_view.h"

namespace sluice::protocol {

enum class filter_outcome {
  kept_all,   // every record kept: use the original bytes
  rewritten,  // some records dropped: `bytes` holds the new batch
  emptied,    // no record left: drop the batch
  failed,     // CRC, codec or record parse failed: `error` says why
};

struct filter_result {
  filter_outcome outcome = filter_outcome::failed;
  std::vector<std::byte> bytes;
  std::int32_t records_before = 0;
  std::int32_t records_after = 0;
  std::string error;
};

/// Re-encodes `batch` keeping only the records for which `keep` is true.
/// The kept records are copied byte for byte, so their offset and timestamp
/// deltas stay relative to the unchanged base offset and base timestamp; the
/// header keeps base offset, last_offset_delta (the batch still ends at the
/// same offset, as Kafka v2 does), attributes, leader epoch and producer
/// fields. records_count and the CRC are recomputed, and max_timestamp too
/// under CreateTime (Kafka's cleaner does the same). A compressed batch is
/// decompressed and compressed again with its codec (snappy keeps its xerial
/// framing if it had one). batch_is_intact is checked first, so a corrupt
/// batch is never given a fresh, valid CRC.
filter_result filter_batch(std::span<const std::byte> batch, const std::function<bool(const record_view&)>& keep,
                           std::size_t max_uncompressed = max_uncompressed_batch_bytes);

}  // namespace sluice::protocol
