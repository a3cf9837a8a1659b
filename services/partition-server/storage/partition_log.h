#pragma once
// The log of one partition replica: a directory of segments (log_format.h)
// with appends at the end, reads by offset and by timestamp, and recovery at
// open. README.md describes the layout and the recovery rules.
//
// One class, its parts by job:
//   partition_log.cc             open and recovery, appends, roll, truncation,
//                                epochs, retention, flush and close
//   prepared_append.{h,cc}       validation and stamping of what an append writes
//   log_reader.{h,cc}            reads and timestamp lookups
//   partition_log_compaction.cc  the compaction driver (pieces in log_cleaner.h)
//   partition_log_producers.cc   producer state: load and replay, snapshots, expiry
//   partition_log_transactions.cc the .txnindex of the segments: aborts added,
//                                collected for read_committed fetches, rebuilt
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include <spdlog/logger.h>

#include "common/base/result.h"
#include "common/base/types.h"
#include "common/config/topic_config.h"
#include "common/protocol/record_batch_validator.h"
#include "services/partition-server/storage/leader_epoch_cache.h"
#include "services/partition-server/storage/log_reader.h"
#include "services/partition-server/storage/producer_state.h"
#include "services/partition-server/storage/transaction_index.h"

namespace sluice::storage {

class segment;
struct prepared_append;
struct retention_rules;
struct producer_last_record;
using active_producers = std::map<std::int64_t, producer_last_record>;

/// What an append did. `error` is the append path's one vocabulary
/// (protocol::append_errc): the validator's batch errors, or storage_error.
struct append_result {
  protocol::append_errc error = protocol::append_errc::ok;
  std::string message;                    // why, for the log and the Kafka error_message
  offset base_offset = no_offset;         // offset given to the first record
  offset last_offset = no_offset;
  std::int64_t log_append_time_ms = -1;   // -1 unless the topic uses LogAppendTime
  offset log_start_offset{0};
  /// A producer's retry of a batch already in the log (append() only):
  /// nothing was written, the offsets are the original batch's.
  bool duplicate = false;
  /// Transactions closed by the markers this append wrote.
  std::vector<completed_txn> completed_txns;
};

/// What one partition_log::clean() did.
struct clean_result {
  std::size_t segments_rewritten = 0;
  std::size_t segments_removed = 0;   // left without records (never the first: it holds the log start)
  std::uint64_t bytes_before = 0;     // of the segments it went through
  std::uint64_t bytes_after = 0;
  std::int64_t records_removed = 0;
  offset first_dirty_offset = no_offset;  // the checkpoint after this cleaning; none when it did not run
  bool failed = false;                   // corrupt data or I/O error: the log is left out of cleaning
};

/// One partition's log. Lifecycle: open() (creates the directory and first
/// segment, or recovers what is there) → append/read/... → close() (also run
/// by the destructor). Not thread-safe: the owner (one CAF actor per
/// partition) calls it from one thread at a time. Holds no global state.
///
/// Invariants: segments are ordered by base offset, each holding only offsets
/// below the next one's base (not every offset has a batch: compaction
/// removes records, and a follower copies the leader's gaps); only the
/// last one is appended to; log_end_offset() is one past the last offset
/// written, and everything below it was fully written (page cache), so a
/// kill -9 of the process loses nothing that was acknowledged.
class partition_log {
 public:
  /// Opens (creating if needed) the log in `dir`, recovering a torn tail.
  /// The log has no clock: every call that depends on time takes it, and
  /// `now_ms` is when it opens (segment.ms counts an existing active
  /// segment's age from then).
  static result<std::unique_ptr<partition_log>> open(std::filesystem::path dir, config::log_config cfg,
                                                     std::int64_t now_ms);
  ~partition_log();
  partition_log(const partition_log&) = delete;
  partition_log& operator=(const partition_log&) = delete;

  /// Validates `batches` (one or more concatenated v2 batches from a producer, Produce v3+), assigns
  /// offsets from the log end, stamps base offset + leader epoch (+ LogAppendTime and CRC when the topic
  /// uses it) IN PLACE, and appends the bytes. Nothing is appended unless every batch is valid and
  /// passes the producer state's checks (producer_state::check_produce); a retried batch is answered
  /// as `duplicate` with its original offsets. Records `epoch` in the epoch cache when it is new.
  /// A group coordinator's writes (`append_origin::coordinator`) get the producer epoch checks only.
  /// `verification` (KIP-890): a client's transactional batch that opens a transaction must present
  /// the producer's guard from begin_verification (producer_state.h).
  append_result append(std::span<std::byte> batches, leader_epoch epoch, std::int64_t now_ms,
                       append_origin origin = append_origin::client, txn_verification verification = {});
  /// producer_state::begin_verification on this log's producers: before a leader asks the
  /// transaction coordinator about a client's transactional batches.
  verification_start begin_verification(std::span<const std::byte> batches, std::int64_t now_ms,
                                        bool supports_epoch_bump) {
    return producers_.begin_verification(batches, now_ms, supports_epoch_bump);
  }

  /// Follower append: whole v2 batches exactly as the leader wrote them (offsets, epochs, timestamps
  /// kept). Checks each batch's CRC and header and that base offsets start at or after
  /// log_end_offset() and grow (a compacted leader log has gaps, so Kafka allows them too); nothing is
  /// appended unless all are. New epochs go to the epoch cache.
  append_result append_replicated(std::span<const std::byte> batches, std::int64_t now_ms);

  /// Removes every record at offset >= `end` (no-op at or past the log end); a batch holding `end`
  /// goes whole. Epoch cache entries past the new end go too, and the producer state is reloaded
  /// from the newest snapshot below the new end. Durable before it returns.
  result<void> truncate_to(offset end);
  /// Deletes every segment and restarts the log empty at `start` (a follower behind the leader's log
  /// start); clears the epoch cache, the producer state and its snapshots.
  result<void> truncate_fully_and_start_at(offset start);

  leader_epoch latest_epoch() const noexcept { return epochs_.latest_epoch(); }
  /// Kafka's endOffsetFor (leader_epoch_cache::end_offset_for at this log's end).
  epoch_end_offset end_offset_for_epoch(leader_epoch epoch) const {
    return epochs_.end_offset_for(epoch, log_end_offset_);
  }

  /// Appends whole batches starting with the one that contains `from`, up to max_bytes; when
  /// `min_one` is true the first batch is given even if larger than max_bytes (KIP-74). `sink(n)` must
  /// return n writable bytes (e.g. grow an NNG message); the log pread()s straight into them.
  /// sink is called at most once, and not at all when there is nothing to give. `bytes` equals n
  /// unless a disk read failed part way (then keep only the first `bytes`).
  /// Reads may continue into following segments while max_bytes allows.
  /// Never hands out the batch holding `upper_bound` or any after it: consumers pass the high
  /// watermark, followers the log end offset.
  read_result read(offset from, std::int32_t max_bytes, bool min_one,
                   const std::function<std::span<std::byte>(std::size_t)>& sink,
                   offset upper_bound = offset{INT64_MAX});

  /// The first offset a reader may ask for: the first segment's base offset
  /// until DeleteRecords (or a follower following its leader) moves it into
  /// the log; never below that base, never above the log end.
  offset log_start_offset() const;
  offset log_end_offset() const;
  /// Kafka's maybeIncrementLogStartOffset: moves the log start offset up to
  /// `start` (not past the log end; callers bound it by the high watermark),
  /// persisted in log-start-offset-checkpoint before it returns. Reads below
  /// it are out of range at once; the epoch cache forgets the epochs wholly
  /// below it; segments wholly below it go with the next apply_retention.
  /// At or below the current start nothing changes.
  result<void> increment_log_start_offset(offset start);

  /// First offset whose timestamp >= ts (batch max_timestamp via .timeindex then scan), or {-1,-1}.
  offset_and_timestamp offset_for_timestamp(std::int64_t ts);
  /// Offset and timestamp of the record with the largest timestamp (ListOffsets -3), or {-1,-1}.
  offset_and_timestamp max_timestamp();

  void update_config(config::log_config cfg);
  /// Deletes the oldest whole segments that lie below the log start offset
  /// (any cleanup.policy, Kafka's deleteLogStartOffsetBreachedSegments), then
  /// those retention.ms / retention.bytes no longer keep (only with
  /// cleanup.policy=delete), never the active one, and moves
  /// log_start_offset() up to the first kept segment. Call it from time to
  /// time (Kafka checks every log.retention.check.interval.ms, 5 minutes).
  /// Returns how many segments were deleted.
  std::size_t apply_retention(std::int64_t now_ms);
  /// Log compaction (only with cleanup.policy=compact; README.md "Compaction"): when the dirty ratio
  /// of the cleanable sealed segments is above min.cleanable.dirty.ratio, keeps only the latest record
  /// per key in them, rewriting each segment in place. Offsets, log start and log end never change.
  /// Segments holding offsets >= `upper_bound` (the high watermark) are not cleaned. Call it after
  /// apply_retention, on the same tick.
  clean_result clean(std::int64_t now_ms, offset upper_bound = offset{INT64_MAX});
  /// The producers writing to this partition (idempotence, open transactions): producer_state.h.
  const producer_state& producers() const noexcept { return producers_; }
  /// Removes producers idle for `expiration_ms` with no open transaction (producer.id.expiration.ms);
  /// call it on the retention tick. Returns how many went.
  std::size_t remove_expired_producers(std::int64_t now_ms, std::int64_t expiration_ms);
  /// The high watermark moved: transactions whose marker it passed stop holding the LSO back.
  void on_high_watermark(offset hw) { producers_.on_high_watermark(hw); }
  /// The cleaner's checkpoint: records below it have been cleaned at least once.
  offset first_dirty_offset() const noexcept { return first_dirty_; }
  result<void> flush();  // fsync
  void close();

  /// An ABORT marker, already written at `txn.last_offset`, closed `txn`:
  /// its entry goes to the .txnindex of the segment holding the marker. The
  /// same marker twice (a replay) changes nothing.
  result<void> add_aborted_txn(const aborted_txn& txn);
  /// Kafka's collectAbortedTransactions: the aborted transactions overlapping
  /// [from, upper_bound), from the .txnindex of the segment holding `from`
  /// and of the following ones until the search is complete
  /// (transaction_index::collect).
  std::vector<aborted_txn> collect_aborted(offset from, offset upper_bound) const;

  /// A read_committed read (Kafka's FetchIsolation.TXN_COMMITTED): read()
  /// bounded by `last_stable_offset`, plus in `aborted` the aborted
  /// transactions overlapping [from, end of the returned batches), which
  /// the consumer needs to drop their records.
  read_result read_committed(offset from, std::int32_t max_bytes, bool min_one,
                             const std::function<std::span<std::byte>(std::size_t)>& sink,
                             offset last_stable_offset, std::vector<aborted_txn>& aborted);

  /// Kafka's UnifiedLog.size: the bytes of every segment's .log file (whole
  /// batches; the indexes do not count), what DescribeLogDirs reports and
  /// retention.bytes measures.
  std::uint64_t size_in_bytes() const noexcept;
  /// Introspection for tests and metrics.
  std::size_t segment_count() const noexcept { return segments_.size(); }
  const std::filesystem::path& dir() const noexcept { return dir_; }

 private:
  partition_log(std::filesystem::path dir, config::log_config cfg);
  result<void> load(std::int64_t now_ms);
  /// Rebuilds the epoch cache from the batches' leader epochs (no checkpoint file).
  result<void> rebuild_epochs();
  void record_epoch(leader_epoch epoch, offset start_offset);
  /// Writes a prepared append at the end (rolling first if needed), records its epochs, moves the
  /// log end and applies flush.messages / flush.ms; a refused one is answered with its verdict.
  append_result write(std::span<const std::byte> batches, prepared_append prepared, std::int64_t now_ms);
  /// Cleans one sealed segment under `rules`: rewrite, swap, reopen (or removal when it is left
  /// empty and is not the first).
  result<void> clean_segment(offset base, const retention_rules& rules, clean_result& out);
  /// A marker just observed closed `txn`: an abort gets its .txnindex entry,
  /// with Kafka's lastStableOffset(completedTxn) (the first offset of
  /// another open transaction, else just past the marker). A failure is
  /// logged: the entry comes back with the next replay (recovery, truncation).
  void index_abort(const completed_txn& txn);
  /// Rebuilds the .txnindex of the segments `stale` (base offsets, growing)
  /// from a walk over the log's transactional batches from its start.
  result<void> rebuild_transaction_indexes(const std::vector<offset>& stale);
  /// Kafka's lastRecordsOfActiveProducers: the batch of each producer the
  /// cleaner keeps even when emptied (log_cleaner.h).
  active_producers last_records_of_producers() const;
  /// Opens segment `base` again from its files (indexes checked or rebuilt) in place of the old object.
  result<void> reopen_segment(offset base);
  /// Closes and deletes the segment files of `base`: the one way a segment goes (retention,
  /// truncation, a cleaning that left it empty).
  void remove_segment(offset base);
  result<void> roll(offset base, std::int64_t now_ms);
  /// Producer state from the newest usable snapshot in [log start, log end], then the batches after
  /// it (at open and after truncation); snapshots outside that range and corrupt ones are deleted.
  result<void> load_producers();
  /// Feeds the batches from `from` to the log end to the producer state.
  result<void> replay_producers(offset from);
  /// Snapshot of the producer state at `at` (a roll's new base, or the log end at close).
  void snapshot_producers(offset at, bool sync);
  /// Retention moved the log start: snapshots below it go.
  void delete_snapshots_below(offset start);
  /// Sets the log start offset and writes log-start-offset-checkpoint.
  result<void> persist_log_start(offset start);
  bool needs_roll(std::size_t incoming, offset last_offset, std::int64_t now_ms) const;
  segment& active() { return *segments_.rbegin()->second; }
  log_reader reader() const;

  std::filesystem::path dir_;
  config::log_config cfg_;
  std::shared_ptr<spdlog::logger> log_;
  segment_map segments_;
  leader_epoch_cache epochs_;
  producer_state producers_;
  offset log_end_offset_{0};
  offset log_start_offset_{0};      // >= the first segment's base, <= log_end_offset_
  std::int64_t unflushed_messages_ = 0;
  std::int64_t last_flush_ms_ = 0;
  bool dir_dirty_ = false;
  offset first_dirty_{0};           // cleaner-offset-checkpoint
  bool uncleanable_ = false;        // the cleaner failed on this log: not tried again until reopened
  bool closed_ = false;
};

}  // namespace sluice::storage
