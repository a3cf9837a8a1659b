#pragma once
// Transaction markers: the one record of a control batch (attributes
// transactional | control, base sequence -1) that ends a producer's
// transaction on a partition, as Kafka's EndTransactionMarker and
// ControlRecordType define it. Big-endian:
//
//   key:   i16 version (0), i16 type (0 ABORT, 1 COMMIT; other types exist
//          in Kafka, e.g. KRaft's, and are not transaction markers)
//   value: i16 version (0), i32 coordinator epoch
//
// A reader accepts longer keys and values and newer versions (Kafka reads
// them as version 0), but not negative versions or short fields.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace sluice::protocol {

enum class control_type : std::int16_t { abort = 0, commit = 1 };

/// What a transaction marker says: how the transaction ended and the
/// epoch of the coordinator that ended it.
struct txn_marker {
  control_type type = control_type::abort;
  std::int32_t coordinator_epoch = -1;
  bool operator==(const txn_marker&) const = default;
};

/// The first record of a control batch read as a transaction marker. A
/// batch with no record (the cleaner removed the transaction, Kafka keeps
/// such a batch) gives neither a marker nor an error.
struct control_read {
  std::optional<txn_marker> marker;
  std::string error;  // why the record is no transaction marker; empty when there is a marker or no record
};

/// Reads the first record of `batch` (a whole control batch, CRC checked
/// by the caller). Decompresses when the batch is compressed.
control_read read_txn_marker(std::span<const std::byte> batch);

/// A marker batch as a transaction's leader appends it: one record (key and
/// value above, timestamp `timestamp_ms`), attributes transactional |
/// control, the producer's id and epoch, base sequence -1, base offset 0
/// and partition leader epoch -1 (the log stamps both).
std::vector<std::byte> build_txn_marker_batch(const txn_marker& marker, std::int64_t producer_id,
                                              std::int16_t producer_epoch, std::int64_t timestamp_ms);

}  // namespace sluice::protocol
