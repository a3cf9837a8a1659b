#pragma once
// Log compaction (cleanup.policy=compact) of one partition, in the parts
// partition_log::clean() puts together: which sealed segments one cleaning
// covers, the key -> latest offset map, the rewrite of one segment, and the
// crash-safe replacement of its files. README.md ("Compaction") has the rules
// and where they differ from Kafka.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>

#include <spdlog/logger.h>

#include "common/base/result.h"
#include "common/base/types.h"

namespace sluice::storage {

class segment;

/// What the cleaner needs to know about a sealed (not active) segment.
struct sealed_segment {
  offset base_offset{0};
  /// The next segment's base offset: every offset this segment ever held is
  /// below it, even after cleaning removed its last batches.
  offset end_offset{0};
  std::uint64_t size = 0;
  std::int64_t max_timestamp = -1;
};

/// The segments one cleaning covers: always the first `segments` sealed
/// segments, of which the first `first_dirty` were cleaned before.
struct cleanable_range {
  std::size_t segments = 0;
  std::size_t first_dirty = 0;
  std::uint64_t clean_bytes = 0;
  std::uint64_t dirty_bytes = 0;
  /// Where the next cleaning's dirty part starts (the end of the last segment).
  offset end_offset = no_offset;

  /// dirty / (clean + dirty) bytes (Kafka's cleanableRatio); 0 when empty.
  double dirty_ratio() const noexcept {
    const std::uint64_t total = clean_bytes + dirty_bytes;
    return total == 0 ? 0.0 : static_cast<double>(dirty_bytes) / static_cast<double>(total);
  }
};

/// Kafka's LogCleanerManager.cleanableOffsets at segment granularity: the
/// range ends before the first segment that reaches past `upper_bound` (the
/// high watermark: records a new leader might not have must not decide what
/// is removed), or that is dirty (ends above `first_dirty_offset`) and has a
/// record newer than now - `min_compaction_lag_ms`.
cleanable_range find_cleanable(std::span<const sealed_segment> sealed, offset first_dirty_offset, offset upper_bound,
                               std::int64_t now_ms, std::int64_t min_compaction_lag_ms);

/// key -> offset of the latest record with that key, over the dirty segments.
/// Memory grows with the number of distinct keys (Kafka bounds it with
/// log.cleaner.dedupe.buffer.size and cleans less per round; we do not).
class offset_map {
 public:
  void put(std::string_view key, offset at);
  /// no_offset when the key is not in the map.
  offset get(std::string_view key) const;
  std::size_t size() const noexcept { return latest_.size(); }

 private:
  struct key_hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, offset, key_hash, std::equal_to<>> latest_;
};

/// Adds every keyed record of `seg` to `map` (later offsets overwrite).
/// Control batches and records without a key are skipped. A batch that fails
/// its CRC or does not decode is an error: the cleaner must not decide on a
/// log it cannot read.
result<void> add_to_offset_map(const segment& seg, offset_map& map, spdlog::logger& log);

/// Which records a cleaning keeps (Kafka's LogCleaner.shouldRetainRecord).
struct retention_rules {
  const offset_map* latest = nullptr;
  std::int64_t now_ms = 0;
  std::int64_t delete_retention_ms = 0;
};

struct segment_clean_stats {
  std::uint64_t bytes_before = 0;
  std::uint64_t bytes_after = 0;
  std::int64_t records_before = 0;
  std::int64_t records_after = 0;
  bool changed = false;  // false: the rewrite equals the original, nothing to swap
};

/// Writes the batches of `seg` with the records `rules` keep to `out`
/// (created or emptied first) and fdatasyncs it. A record is kept when it has
/// a key, no later offset has that key, and it is not a tombstone (null
/// value) whose batch max timestamp is older than now - delete.retention.ms.
/// Control batches are copied as they are; a batch left without records is
/// dropped; others are re-encoded by protocol::filter_batch (offsets,
/// timestamps, epoch, producer fields kept).
result<segment_clean_stats> write_cleaned_segment(const segment& seg, const retention_rules& rules,
                                                  const std::filesystem::path& out, spdlog::logger& log);

/// Installs `<base>.log.cleaned` over `<base>.log`: renames it to
/// `<base>.log.swap` and fsyncs the directory (from here on recovery
/// completes the swap), then install_swap(). The segment must be closed.
result<void> swap_in_cleaned(const std::filesystem::path& dir, offset base);

/// The second half: deletes `<base>.index` and `<base>.timeindex` (they
/// describe the old file; the caller rebuilds them), renames
/// `<base>.log.swap` over `<base>.log`, fsyncs the directory.
result<void> install_swap(const std::filesystem::path& dir, offset base);

/// At open, before segments are listed: deletes every `*.log.cleaned`
/// (an unfinished rewrite; the old .log is whole) and installs every
/// `*.log.swap`. Returns how many files it dealt with.
result<std::size_t> recover_cleaner_files(const std::filesystem::path& dir, spdlog::logger& log);

}  // namespace sluice::storage
