#pragma once
// Which leader epoch wrote which offsets: Kafka's leader-epoch-checkpoint.
#include <cstdint>
#include <filesystem>
#include <vector>

#include "common/base/result.h"
#include "common/base/types.h"

namespace sluice::storage {

struct epoch_end_offset {
  leader_epoch epoch = no_leader_epoch;
  offset end_offset = no_offset;
};

/// Entries (epoch, start offset) with both strictly increasing: epoch E wrote
/// the offsets from its start offset up to the next entry's start offset.
/// Followers use it to find where their log diverged from a new leader's
/// (truncation by epoch, KIP-101/KIP-279); clients use it through
/// OffsetForLeaderEpoch.
///
/// Persisted in `<partition dir>/leader-epoch-checkpoint` in Kafka's text
/// format (line 1 version 0, line 2 entry count, then "epoch offset" lines),
/// rewritten atomically on every change. Not thread-safe (the partition's
/// actor owns it).
class leader_epoch_cache {
 public:
  struct entry {
    leader_epoch epoch{0};
    offset start_offset{0};
  };
  static constexpr const char* file_name = "leader-epoch-checkpoint";

  explicit leader_epoch_cache(std::filesystem::path dir) : dir_(std::move(dir)) {}

  /// Reads the checkpoint. False when it is missing or malformed: the caller
  /// rebuilds the entries from the log's batches.
  bool load();
  result<void> persist() const;

  /// Records that `epoch` starts writing at `start_offset`. Ignored unless
  /// `epoch` is newer than the latest one; entries starting at or after
  /// `start_offset` are dropped first (they were never written). True when
  /// the cache changed (the caller persists).
  bool assign(leader_epoch epoch, offset start_offset);
  /// Drops entries whose start offset is >= `end_offset` (log truncated).
  bool truncate_from_end(offset end_offset);
  /// The log start moved to `start_offset` (Kafka's truncateFromStart):
  /// entries starting below it go, except the latest of them, which now
  /// starts at `start_offset` (its epoch still wrote the first offsets
  /// kept). True when the cache changed (the caller persists).
  bool truncate_from_start(offset start_offset);
  void clear() { entries_.clear(); }

  leader_epoch latest_epoch() const noexcept { return entries_.empty() ? no_leader_epoch : entries_.back().epoch; }
  /// Kafka's endOffsetFor: for the latest epoch the log end offset; for an
  /// older one, the largest cached epoch <= it (or itself when it predates
  /// every entry) and the start offset of the first epoch above it; {-1,-1}
  /// for an epoch newer than every entry or an empty cache.
  epoch_end_offset end_offset_for(leader_epoch epoch, offset log_end_offset) const;
  const std::vector<entry>& entries() const noexcept { return entries_; }

 private:
  std::filesystem::path dir_;
  std::vector<entry> entries_;
};

}  // namespace sluice::storage
