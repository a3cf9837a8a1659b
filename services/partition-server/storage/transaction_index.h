#pragma once
// The .txnindex of one segment (format in log_format.h): the aborted
// transactions whose ABORT marker sits in the segment, as Kafka keeps them,
// so a read_committed fetch can tell the consumer which producers' records to
// drop without reading the data twice.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "common/base/result.h"
#include "common/base/types.h"
#include "services/partition-server/storage/index_file.h"

namespace sluice::storage {

/// One aborted transaction of one producer on this partition.
struct aborted_txn {
  std::int64_t producer_id = -1;
  offset first_offset{0};        // its first record (the batch that opened it)
  offset last_offset{0};         // its ABORT marker
  offset last_stable_offset{0};  // the partition's LSO once the marker was written (bounds collect's search)
  bool operator==(const aborted_txn&) const = default;
};

/// How a .txnindex entry is stored (Kafka's AbortedTxn, 34 bytes, big-endian):
/// i16 version (0), i64 producer id, i64 first offset, i64 last offset,
/// i64 last stable offset. Entries are in marker order: last offsets grow
/// strictly.
struct transaction_index_format {
  using entry = aborted_txn;
  static constexpr std::size_t size = 34;
  static constexpr std::int16_t version = 0;
  static entry decode(const std::byte* at) noexcept;
  static void encode(const entry& e, std::byte* at) noexcept;
  /// A version this code knows: anything else makes the file unusable (rebuilt).
  static bool readable(const std::byte* at) noexcept;
  static bool follows(const entry& before, const entry& next) noexcept {
    return next.last_offset > before.last_offset;
  }
};

/// Owned by one segment; used on the partition's actor thread only.
/// Invariant: last offsets grow strictly (add() keeps it), and each is an
/// offset of the segment.
class transaction_index : public index_file<transaction_index_format> {
 public:
  /// Appends `txn` unless an entry with the same or a later marker is there
  /// already: the same marker seen twice (a recovery replay, a rebuild)
  /// changes nothing. Returns whether it was appended.
  result<bool> add(const aborted_txn& txn);
  /// Drops the entries whose marker is at or after `end` (the log was cut there).
  result<void> truncate_from(offset end);
  /// Kafka's collectAbortedTxns: appends to `out` the entries overlapping
  /// [fetch_offset, upper_bound) (marker at or after the fetch offset, first
  /// record before the bound). Returns true when the search is complete: an
  /// entry's last stable offset reached the bound, so no later segment can
  /// hold an abort of records below it.
  bool collect(offset fetch_offset, offset upper_bound, std::vector<aborted_txn>& out) const;
};

}  // namespace sluice::storage
