#pragma once
// One segment of a partition log: its .log file plus the two indexes and
// the transaction index (log_format.h). The partition_log appends only to the last ("active")
// segment; older ones are read-only.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include <spdlog/logger.h>

#include "common/base/result.h"
#include "common/base/types.h"
#include "services/partition-server/storage/offset_index.h"
#include "services/partition-server/storage/posix_file.h"
#include "services/partition-server/storage/time_index.h"
#include "services/partition-server/storage/transaction_index.h"

namespace sluice::storage {

/// What the log tells a segment about each batch it appends: already
/// validated and stamped, so these are the values now in the bytes.
struct appended_batch {
  offset base_offset{0};
  offset last_offset{0};
  std::int64_t max_timestamp = -1;
  std::uint32_t size = 0;
};

/// Where a batch sits in the .log and the header fields reads need.
struct batch_location {
  std::uint64_t position = 0;
  std::uint32_t size = 0;
  offset base_offset{0};
  offset last_offset{0};
  std::int64_t max_timestamp = -1;
  sluice::leader_epoch leader_epoch = no_leader_epoch;
  std::int64_t producer_id = -1;
  bool transactional = false;
  bool control = false;
};

/// Lifecycle: open() → recover_tail() (the active segment) or
/// check_indexes() (older ones) → append()* → seal() when rolled → close().
/// Owned by partition_log, used on the partition's actor thread only.
/// Invariants: size() is the end of the last whole batch; next_offset() is
/// one past its last offset (base_offset() when empty); the indexes only name
/// batches below size().
class segment {
 public:
  static result<std::unique_ptr<segment>> open(const std::filesystem::path& dir, offset base_offset,
                                               std::int32_t index_interval_bytes,
                                               std::shared_ptr<spdlog::logger> log);

  /// Active segment at start-up: re-reads the .log from the last index entry,
  /// checking every batch's CRC, truncates a torn or corrupt tail, and re-adds
  /// the index entries of the batches it read.
  result<void> recover_tail();
  /// Older segment at start-up: checks the indexes against the .log cheaply
  /// and rebuilds them when missing or short.
  result<void> check_indexes();

  offset base_offset() const noexcept { return base_offset_; }
  offset next_offset() const noexcept { return next_offset_; }
  std::uint64_t size() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }
  /// Largest batch max_timestamp and the base offset of the first batch
  /// that had it; -1/-1 when empty.
  std::int64_t max_timestamp() const noexcept { return max_timestamp_; }
  offset offset_of_max_timestamp() const noexcept { return offset_of_max_timestamp_; }
  std::int64_t first_append_ms() const noexcept { return first_append_ms_; }
  void set_first_append_ms(std::int64_t ms) noexcept { first_append_ms_ = ms; }
  void set_index_interval(std::int32_t bytes) noexcept { index_interval_bytes_ = bytes; }
  std::size_t index_entries() const noexcept { return offsets_.entries().size(); }

  /// Writes `bytes` (the concatenation of `batches`) at the end with one
  /// pwrite, then indexes them. On failure the .log is cut back.
  result<void> append(std::span<const std::byte> bytes, std::span<const appended_batch> batches);
  /// Records the final max timestamp in the time index (on roll and close).
  result<void> seal();
  /// Cuts the .log at `position` (a batch boundary; no-op at or past the
  /// end) and re-derives indexes, next offset and max timestamp from what is
  /// left, like recovery. Leaves the indexes open: the segment is active.
  result<void> truncate_at(std::uint64_t position);

  /// The first batch whose last offset is >= `target`, if any.
  result<std::optional<batch_location>> locate(offset target) const;
  /// The batch starting at `position`, if a sane header is there.
  result<std::optional<batch_location>> header_at(std::uint64_t position) const;
  /// The largest batch boundary known from the index (or the end of the
  /// segment) in (start, limit]; `start` when there is none.
  std::uint64_t boundary_before(std::uint64_t start, std::uint64_t limit) const;
  /// Opens (creating) the .txnindex and loads it; the file is kept open only
  /// while the segment is active. Returns false when the entries cannot be
  /// trusted and the caller must rebuild them (rewrite_transactions): the
  /// file was missing (lost, or a log written before transactions existed)
  /// or is not whole entries of a known version in marker order.
  result<bool> open_transactions();
  const transaction_index& transactions() const noexcept { return txns_; }
  /// An ABORT marker of this (active) segment closed `txn`: appended unless
  /// already there (transaction_index::add).
  result<bool> add_aborted(const aborted_txn& txn);
  /// Replaces every entry (a rebuild, a cleaning), durably.
  result<void> rewrite_transactions(const std::vector<aborted_txn>& txns);

  /// pread of `out.size()` bytes at `position`.
  result<std::size_t> read(std::uint64_t position, std::span<std::byte> out) const;
  /// Time index entry to start a timestamp search from: the last entry below
  /// `timestamp`, as an absolute offset (base_offset() when none).
  offset time_search_start(std::int64_t timestamp) const;

  result<void> flush();
  /// Closes the index files once the segment is no longer appended to: the
  /// entries stay in memory, and fds are kept for the .log only.
  void close_indexes() noexcept;
  void close() noexcept;
  bool dirty() const noexcept { return dirty_; }

 private:
  segment(std::filesystem::path dir, offset base_offset, std::int32_t index_interval_bytes,
          std::shared_ptr<spdlog::logger> log);

  struct scan_result {
    std::uint64_t end = 0;           // end of the last good batch
    offset next_offset{0};           // one past its last offset
    bool stopped_early = false;      // bytes after `end` were not a good batch
  };
  /// Reads batches from `start` to the end of the file and hands each to
  /// index_batch. `verify_crc` checks every CRC (active segment recovery).
  result<scan_result> scan(std::uint64_t start, offset expected_base, bool exact_base, bool verify_crc,
                           bool first_is_indexed);
  /// Applies the index rule to one batch at `position` (see log_format.h).
  result<void> index_batch(std::uint64_t position, const appended_batch& b, bool already_indexed);
  result<void> rebuild_indexes();
  void close_transactions() noexcept;
  result<void> open_indexes(bool& consistent);
  /// Checks the index tail without changing anything: true when the entries
  /// the rule would have written after the last entry are all there.
  result<bool> index_tail_complete();

  std::filesystem::path dir_;
  offset base_offset_;
  std::int32_t index_interval_bytes_;
  std::shared_ptr<spdlog::logger> log_;
  posix_file file_;
  offset_index offsets_;
  time_index times_;
  transaction_index txns_;
  bool txns_open_ = false;   // the .txnindex fd is open (active segment)
  bool txns_dirty_ = false;  // appended since the last sync
  std::uint64_t size_ = 0;
  offset next_offset_;
  std::int64_t max_timestamp_ = -1;
  offset offset_of_max_timestamp_ = no_offset;
  std::uint64_t bytes_since_index_ = 0;
  std::int64_t first_append_ms_ = -1;
  bool dirty_ = false;
};

}  // namespace sluice::storage
