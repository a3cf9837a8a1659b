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
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>

#include <spdlog/logger.h>

#include "common/base/result.h"
#include "common/base/types.h"
#include "common/protocol/record_batch_view.h"
#include "services/partition-server/storage/transaction_index.h"

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

class cleaned_transactions;

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
/// Control batches, records without a key and (with `transactions`, fed
/// the segment's aborted transactions first) records of aborted
/// transactions are skipped. A batch that fails its CRC or does not decode
/// is an error: the cleaner must not decide on a log it cannot read.
result<void> add_to_offset_map(const segment& seg, offset_map& map, spdlog::logger& log,
                               cleaned_transactions* transactions = nullptr);

/// The batch that holds a producer's state, which a cleaning keeps even
/// when it removes every record of it (Kafka's LastRecord): the batch
/// ending at the producer's last data offset (its last sequence), or,
/// when it has written only markers since, its marker of that epoch.
struct producer_last_record {
  std::optional<offset> last_data_offset;
  std::int16_t epoch = -1;
};
/// Producer id -> its last record, for the producers the state keeps.
using active_producers = std::map<std::int64_t, producer_last_record>;

/// Kafka's CleanedTransactionMetadata: the transactions of one cleaning,
/// carried from segment to segment in log order. It says which data
/// batches belong to aborted transactions (their records go, whatever
/// their keys) and which markers have no data of their transaction left
/// (they may go once the delete horizon passed), and collects the aborts
/// the rewritten segment's .txnindex keeps (those whose marker stays and
/// whose data this cleaning still saw).
class cleaned_transactions {
 public:
  /// The aborted transactions overlapping the next segment
  /// (partition_log::collect_aborted over its offsets); the same one twice is taken once.
  void add_aborted(const std::vector<aborted_txn>& txns);
  /// A data batch: true when it belongs to an aborted transaction.
  bool on_data_batch(const protocol::batch_header& h);
  /// A control batch (`batch`, whole): true when it may be discarded, i.e.
  /// this cleaning saw no batch of the transaction it ends. An ABORT that
  /// stays while its data was seen keeps its .txnindex entry.
  bool on_control_batch(std::span<const std::byte> batch);
  /// The .txnindex entries of the segment just written; empties the list.
  std::vector<aborted_txn> take_kept();

 private:
  void open_aborted_up_to(offset at);

  struct ongoing_abort {
    aborted_txn txn;
    bool data_seen = false;
  };
  std::map<offset, aborted_txn> pending_aborted_;          // by first offset: not reached yet
  std::map<std::int64_t, ongoing_abort> ongoing_aborted_;  // by producer id: reached, marker not yet
  std::set<std::int64_t> ongoing_committed_;  // producers whose data of a not-aborted transaction was seen
  std::vector<aborted_txn> kept_;
};

/// Which records a cleaning keeps (Kafka's LogCleaner.shouldRetainRecord
/// and its transactional batch rules).
struct retention_rules {
  const offset_map* latest = nullptr;
  std::int64_t now_ms = 0;
  std::int64_t delete_retention_ms = 0;
  cleaned_transactions* transactions = nullptr;  // none: no transactional rules (tests of the key rules)
  const active_producers* producers = nullptr;    // none: no batch is kept for a producer's state
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
/// A batch of an aborted transaction loses every record; a marker goes when
/// no data of its transaction is left and its max timestamp is older than
/// now - delete.retention.ms (the delete horizon), else it is copied as it
/// is. A batch left without records is dropped, unless it holds a
/// producer's last record (rules.producers): then its header stays with no
/// record, as Kafka keeps it. Others are re-encoded by
/// protocol::filter_batch (offsets, timestamps, epoch, producer fields kept).
result<segment_clean_stats> write_cleaned_segment(const segment& seg, const retention_rules& rules,
                                                  const std::filesystem::path& out, spdlog::logger& log);

/// Writes `<base>.txnindex.cleaned`: the .txnindex of the rewrite, which
/// swap_in_cleaned installs together with it (a consumer must never see
/// the aborted data without its entry, nor an entry whose marker is gone).
result<void> write_cleaned_transactions(const std::filesystem::path& dir, offset base,
                                        const std::vector<aborted_txn>& txns);

/// Installs `<base>.log.cleaned` (and `<base>.txnindex.cleaned` when
/// written) over the segment: renames the index to `.txnindex.swap`, then
/// the log to `<base>.log.swap` and fsyncs the directory (from here on
/// recovery completes the swap), then install_swap(). The segment must be
/// closed.
result<void> swap_in_cleaned(const std::filesystem::path& dir, offset base);

/// The second half: deletes `<base>.index` and `<base>.timeindex` (they
/// describe the old file; the caller rebuilds them), renames
/// `<base>.txnindex.swap` (if any) over `<base>.txnindex` and
/// `<base>.log.swap` over `<base>.log`, fsyncs the directory.
result<void> install_swap(const std::filesystem::path& dir, offset base);

/// At open, before segments are listed: deletes every `*.log.cleaned`
/// (an unfinished rewrite; the old .log is whole) and installs every
/// `*.log.swap`; a `.txnindex.cleaned` or `.txnindex.swap` left without
/// its log's swap is deleted. Returns how many files it dealt with.
result<std::size_t> recover_cleaner_files(const std::filesystem::path& dir, spdlog::logger& log);

}  // namespace sluice::storage
