#pragma once
// On-disk layout of one partition's log. The comment is the spec; the
// writer (segment.cc) and the readers (recovery, reads) share these constants.
//
// A partition is one directory. It holds segments, each three files named by
// the segment's base offset, zero-padded to 20 digits (file_names.h), as Kafka
// does:
//
//   00000000000000000000.log        batches exactly as on the wire (RecordBatch v2,
//   00000000000000000000.index      see common/protocol/record_batch_view.h), stamped
//   00000000000000000000.timeindex  with their base offset and leader epoch
//   00000000000000004242.log        next segment: its first batch has base offset 4242
//   ...
//
// .log: whole batches laid end to end, offsets strictly increasing. Nothing
//   else: no per-file header, so `cat *.log` is a valid fetch response body.
//
// .index: sparse offset index, 8-byte entries, big-endian:
//     i32 relative offset (batch base offset - segment base offset)
//     i32 position of that batch in the .log
//   An entry is added before appending a batch once more than
//   index.interval.bytes have been appended since the previous entry (the
//   first batch of a segment needs none: lookup falls back to position 0).
//   Entries grow strictly in both fields.
//
// .timeindex: 12-byte entries, big-endian:
//     i64 timestamp: the largest batch max_timestamp in the segment so far
//     i32 relative offset of the first batch that had that timestamp
//   Appended (before the matching .index entry) whenever an .index entry is
//   added and the max timestamp grew, and once more when the segment is rolled
//   or closed, so the last entry is the segment's max timestamp. Timestamps
//   grow strictly.
//
//   00000000000000000000.txnindex   the aborted transactions whose ABORT marker
//                                   is in this segment (transaction_index.h)
//
// .txnindex: 34-byte entries, big-endian, Kafka's format:
//     i16 version (0)
//     i64 producer id
//     i64 first offset of the transaction
//     i64 last offset: its ABORT marker
//     i64 last stable offset once the marker was written
//   Appended when an ABORT marker is written (leader or follower) and the
//   producer had an open transaction; marker offsets grow strictly. A fetch
//   with isolation_level=read_committed reads them (collect_aborted).
//
// Indexes are derived data: they are not checksummed, and are rebuilt from
// the .log when missing or inconsistent (README.md, "Recovery"). A
// .txnindex needs more than its own segment (a transaction may start in an
// earlier one), so a missing or torn one is rebuilt from a walk over the
// whole log's transactional batches.
//
// Compaction (cleanup.policy=compact, log_cleaner.h) leaves two more kinds of
// file, only ever for a sealed segment, and each only until it is done:
//
//   00000000000000000000.log.cleaned  the segment's rewrite, being written
//   00000000000000000000.log.swap     the rewrite, complete and fsynced: it
//                                     replaces the .log (the indexes are
//                                     deleted first and rebuilt from it)
//   00000000000000000000.txnindex.cleaned / .txnindex.swap
//                                     the rewrite's .txnindex, renamed to
//                                     .swap just before the .log is, and
//                                     installed with it
//
// At open a .cleaned file is deleted (the old .log is still whole) and a
// .swap file is installed (it is the newer copy of the same offsets), its
// .txnindex.swap with it; a .txnindex.swap without a .log.swap is deleted.
//
// cleaner-offset-checkpoint (offset_checkpoint.h) holds the first offset the
// cleaner has not been through yet.
//
// 00000000000000004242.snapshot (producer_snapshot.h) holds the producer state
// of every batch below offset 4242, in Kafka's ProducerSnapshot format.
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace sluice::storage::log_format {

inline constexpr std::string_view log_suffix = ".log";
inline constexpr std::string_view index_suffix = ".index";
inline constexpr std::string_view time_index_suffix = ".timeindex";
inline constexpr std::string_view txn_index_suffix = ".txnindex";
inline constexpr std::string_view cleaned_suffix = ".log.cleaned";
inline constexpr std::string_view swap_suffix = ".log.swap";
inline constexpr std::string_view txn_cleaned_suffix = ".txnindex.cleaned";
inline constexpr std::string_view txn_swap_suffix = ".txnindex.swap";
inline constexpr int file_name_digits = 20;

inline constexpr std::size_t index_entry_size = 8;
inline constexpr std::size_t time_index_entry_size = 12;
inline constexpr std::size_t txn_index_entry_size = 34;

/// Positions in .index are i32, so a segment must stay below 2 GiB (Kafka's
/// segment.bytes is an int for the same reason).
inline constexpr std::int64_t max_segment_bytes = INT32_MAX;
/// Relative offsets are i32 too.
inline constexpr std::int64_t max_relative_offset = INT32_MAX;

/// How large a segment may grow: segment.bytes, within what .index can address.
constexpr std::int64_t segment_size_limit(std::int64_t segment_bytes) {
  return segment_bytes < max_segment_bytes ? segment_bytes : max_segment_bytes;
}

}  // namespace sluice::storage::log_format
