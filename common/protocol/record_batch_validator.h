#pragma once
// Checking record batches before they enter a log, and the append path's one
// error vocabulary (append_errc). validate_batch is the leader's full check
// of a producer's batch; batch_is_intact the check of a batch someone else
// validated (a replicated copy, a stored segment, the cleaner's input).
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "common/protocol/record_batch_view.h"

namespace sluice::protocol {

/// The one vocabulary of the append path: why a record set was not appended.
/// validate_batch gives the batch format errors; the partition log adds
/// storage_error and the producer state's errors, and the partition server maps each value once to its RPC
/// error (services/partition-server/errors.h). The names are Kafka's codes.
enum class append_errc {
  ok,
  corrupt_message,          // length, CRC or record-set framing wrong (CORRUPT_MESSAGE)
  invalid_record,           // magic, records, counts or offset deltas wrong, control batch (INVALID_RECORD)
  unsupported_compression,  // codec id 5..7 (UNSUPPORTED_COMPRESSION_TYPE)
  message_too_large,        // batch larger than max.message.bytes, or decompresses past the limit
  invalid_timestamp,        // CreateTime outside message.timestamp.before/after.max.ms
  storage_error,            // valid, but the log could not write it (KAFKA_STORAGE_ERROR); never from validate_batch
  // The producer state's checks (services/partition-server/storage/producer_state.h), never from validate_batch:
  out_of_order_sequence,    // a sequence that does not follow the producer's last (OUT_OF_ORDER_SEQUENCE_NUMBER)
  invalid_producer_epoch,   // an epoch below the producer's current one (INVALID_PRODUCER_EPOCH)
  invalid_txn_state,        // a non-transactional batch while the producer's transaction is open (INVALID_TXN_STATE)
  coordinator_fenced,       // a marker from an older coordinator epoch (TRANSACTION_COORDINATOR_FENCED)
};

/// Whether a record set, or one batch of it, may be appended; if not, the
/// code and a text for the log and the producer's error_message.
struct append_verdict {
  append_errc error = append_errc::ok;
  std::string message;
  explicit operator bool() const noexcept { return error == append_errc::ok; }
  static append_verdict refuse(append_errc error, std::string message) { return {error, std::move(message)}; }
};

struct validate_options {
  std::int32_t max_batch_bytes = 1048588;  // topic max.message.bytes
  bool allow_control = false;              // producers may not send control batches
  std::int64_t now_ms = 0;
  std::int64_t timestamp_before_max_ms = INT64_MAX;
  std::int64_t timestamp_after_max_ms = INT64_MAX;
  /// Bound on decompressed record bytes per batch (decompression bombs).
  std::size_t max_uncompressed_bytes = max_uncompressed_batch_bytes;
  /// Compacted topics: a record without a key could never be compacted away,
  /// so Kafka's LogValidator refuses it (INVALID_RECORD).
  bool require_keys = false;
};

/// What validation learnt about a good batch.
struct batch_summary {
  std::int32_t records_count = 0;
  std::int64_t max_timestamp = -1;          // largest record timestamp (CreateTime)
  std::int32_t max_timestamp_offset_delta = 0;  // first record that has it
};

struct batch_validation : append_verdict {
  batch_summary summary;
};

/// Full check of one batch (exactly `batch.size()` bytes) from a producer for
/// a leader append, in Kafka's order (size before CRC, as its log's
/// analyzeAndValidateRecords; a wrong magic is INVALID_RECORD, as its
/// ProduceRequest.validateRecords): sizes, magic, CRC, codec, control,
/// counts, every record parses and its offset delta is its index.
/// Decompresses compressed batches.
batch_validation validate_batch(std::span<const std::byte> batch, const validate_options& options);

/// Header fields every stored batch has right: magic 2 and a last_offset_delta
/// that is not negative. No CRC: the cheap check of an index rebuild.
bool header_is_sane(const batch_header& h) noexcept;

/// A whole, undamaged batch: exactly `batch.size()` bytes as its batch_length
/// says, a sane header and a CRC-32C that matches. What log recovery,
/// replicated appends and the cleaner check on batches they did not validate.
bool batch_is_intact(std::span<const std::byte> batch) noexcept;

}  // namespace sluice::protocol
