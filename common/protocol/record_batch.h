#pragma once
// Kafka RecordBatch v2 (magic 2): a read-only header view, in-place stamping
// for the partition leader, validation of producer batches, iteration over
// concatenated batches and over records, and a builder.
//
// Batch layout (big-endian; kafka-protocol-facts.md §3, DefaultRecordBatch.java):
//
//   off size field
//    0   8   base_offset            producer sends 0, the leader overwrites
//    8   4   batch_length           bytes after this field (total size - 12)
//   12   4   partition_leader_epoch producer sends -1, the leader overwrites
//   16   1   magic                  2
//   17   4   crc                    CRC-32C of bytes 21..end
//   21   2   attributes             bits 0-2 codec, 3 timestamp type (1 = LogAppendTime),
//                                   4 transactional, 5 control, 6 delete horizon
//   23   4   last_offset_delta
//   27   8   base_timestamp
//   35   8   max_timestamp
//   43   8   producer_id
//   51   2   producer_epoch
//   53   4   base_sequence
//   57   4   records_count
//   61   -   records (one compressed blob when a codec is set)
//
// base_offset and partition_leader_epoch sit before the CRC'd range, so the
// leader stamps them without recomputing the CRC; changing max_timestamp or
// the attributes (LogAppendTime) needs a new CRC.
//
// Record layout (zig-zag varints; -1 length = null):
//   length, attributes i8, timestamp_delta varlong, offset_delta varint,
//   key_len + key, value_len + value, header_count, {key_len + key, value_len + value}...
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/protocol/compression.h"

namespace sluice::protocol {

// --- big-endian helpers ---------------------------------------------------

template <class T>
T load_be(const std::byte* p) noexcept {
  using U = std::make_unsigned_t<T>;
  U v = 0;
  for (std::size_t i = 0; i < sizeof(T); ++i) v = static_cast<U>((v << 8) | static_cast<U>(p[i]));
  return static_cast<T>(v);
}

template <class T>
void store_be(std::byte* p, T value) noexcept {
  using U = std::make_unsigned_t<T>;
  auto v = static_cast<U>(value);
  for (std::size_t i = sizeof(T); i-- > 0;) {
    p[i] = static_cast<std::byte>(v & 0xFF);
    v = static_cast<U>(v >> 8);
  }
}

// --- layout -----------------------------------------------------------------

namespace batch_layout {
inline constexpr std::size_t base_offset = 0;
inline constexpr std::size_t batch_length = 8;
inline constexpr std::size_t partition_leader_epoch = 12;
inline constexpr std::size_t magic = 16;
inline constexpr std::size_t crc = 17;
inline constexpr std::size_t attributes = 21;
inline constexpr std::size_t last_offset_delta = 23;
inline constexpr std::size_t base_timestamp = 27;
inline constexpr std::size_t max_timestamp = 35;
inline constexpr std::size_t producer_id = 43;
inline constexpr std::size_t producer_epoch = 51;
inline constexpr std::size_t base_sequence = 53;
inline constexpr std::size_t records_count = 57;
inline constexpr std::size_t records = 61;
inline constexpr std::size_t header_size = 61;
/// Bytes before batch_length's coverage starts (base_offset + batch_length).
inline constexpr std::size_t log_overhead = 12;
/// The CRC covers everything from here to the end of the batch.
inline constexpr std::size_t crc_start = attributes;
inline constexpr std::int8_t current_magic = 2;

inline constexpr std::int16_t codec_mask = 0x07;
inline constexpr std::int16_t timestamp_type_bit = 0x08;
inline constexpr std::int16_t transactional_bit = 0x10;
inline constexpr std::int16_t control_bit = 0x20;
inline constexpr std::int16_t delete_horizon_bit = 0x40;
}  // namespace batch_layout

enum class timestamp_type : std::uint8_t { create_time = 0, log_append_time = 1 };

/// Read-only view of a batch header. The span must hold at least
/// batch_layout::header_size bytes (batch_iterator guarantees it); the view
/// does not check that the rest of the batch is present.
class batch_header {
 public:
  explicit batch_header(std::span<const std::byte> bytes) noexcept : p_(bytes.data()) {}

  std::int64_t base_offset() const noexcept { return load_be<std::int64_t>(p_ + batch_layout::base_offset); }
  std::int32_t batch_length() const noexcept { return load_be<std::int32_t>(p_ + batch_layout::batch_length); }
  std::int32_t partition_leader_epoch() const noexcept {
    return load_be<std::int32_t>(p_ + batch_layout::partition_leader_epoch);
  }
  std::int8_t magic() const noexcept { return static_cast<std::int8_t>(p_[batch_layout::magic]); }
  std::uint32_t crc() const noexcept { return load_be<std::uint32_t>(p_ + batch_layout::crc); }
  std::int16_t attributes() const noexcept { return load_be<std::int16_t>(p_ + batch_layout::attributes); }
  /// Raw codec id (0..7); codec_from_attributes (compression.h) says which are codecs.
  int codec_id() const noexcept { return attributes() & batch_layout::codec_mask; }
  /// The codec, or none for an id that is not one (5..7): check the id first
  /// where it matters (validate_batch, batch_records).
  compression_codec compression() const noexcept {
    const auto codec = codec_from_attributes(attributes());
    return codec ? codec.value() : compression_codec::none;
  }
  timestamp_type ts_type() const noexcept {
    return (attributes() & batch_layout::timestamp_type_bit) ? timestamp_type::log_append_time
                                                             : timestamp_type::create_time;
  }
  bool is_transactional() const noexcept { return attributes() & batch_layout::transactional_bit; }
  bool is_control() const noexcept { return attributes() & batch_layout::control_bit; }
  bool has_delete_horizon() const noexcept { return attributes() & batch_layout::delete_horizon_bit; }
  std::int32_t last_offset_delta() const noexcept {
    return load_be<std::int32_t>(p_ + batch_layout::last_offset_delta);
  }
  std::int64_t base_timestamp() const noexcept { return load_be<std::int64_t>(p_ + batch_layout::base_timestamp); }
  std::int64_t max_timestamp() const noexcept { return load_be<std::int64_t>(p_ + batch_layout::max_timestamp); }
  std::int64_t producer_id() const noexcept { return load_be<std::int64_t>(p_ + batch_layout::producer_id); }
  std::int16_t producer_epoch() const noexcept { return load_be<std::int16_t>(p_ + batch_layout::producer_epoch); }
  std::int32_t base_sequence() const noexcept { return load_be<std::int32_t>(p_ + batch_layout::base_sequence); }
  std::int32_t records_count() const noexcept { return load_be<std::int32_t>(p_ + batch_layout::records_count); }

  /// Whole batch size in bytes, from batch_length (may be nonsense for a
  /// corrupt header: check with batch_iterator, batch_is_intact or validate_batch first).
  std::int64_t total_size() const noexcept { return std::int64_t{batch_length()} + batch_layout::log_overhead; }
  std::int64_t last_offset() const noexcept { return base_offset() + last_offset_delta(); }
  std::int64_t next_offset() const noexcept { return last_offset() + 1; }

 private:
  const std::byte* p_;
};

// --- stamping (partition leader) -------------------------------------------

/// CRC-32C over bytes 21..end of a whole batch.
std::uint32_t compute_batch_crc(std::span<const std::byte> batch) noexcept;
/// Outside the CRC: no recompute needed.
void stamp_base_offset(std::span<std::byte> batch, std::int64_t base_offset) noexcept;
void stamp_partition_leader_epoch(std::span<std::byte> batch, std::int32_t epoch) noexcept;
/// Sets max_timestamp and the timestamp-type bit, then recomputes the CRC.
void stamp_max_timestamp(std::span<std::byte> batch, std::int64_t max_timestamp, timestamp_type type) noexcept;

// --- iteration over concatenated batches -----------------------------------

/// Walks whole batches laid end to end (a produce payload, a segment file, a
/// fetch response). It only trusts batch_length to find boundaries: it stops
/// at the first header that is cut short, whose length is impossible, or
/// whose batch extends past the end. Contents are not checked (see
/// validate_batch / batch_is_intact).
class batch_iterator {
 public:
  enum class stop_reason { none, end, truncated, bad_length };

  explicit batch_iterator(std::span<const std::byte> bytes) noexcept : bytes_(bytes) {}

  /// The next whole batch, or nullopt (then see reason()).
  std::optional<std::span<const std::byte>> next() noexcept;
  /// Bytes consumed by the batches returned so far.
  std::size_t position() const noexcept { return pos_; }
  stop_reason reason() const noexcept { return reason_; }

 private:
  std::span<const std::byte> bytes_;
  std::size_t pos_ = 0;
  stop_reason reason_ = stop_reason::none;
};

/// The smallest legal batch_length: a header with no records.
inline constexpr std::int32_t min_batch_length =
    static_cast<std::int32_t>(batch_layout::header_size - batch_layout::log_overhead);

// --- records ----------------------------------------------------------------

struct record_header_view {
  std::string_view key;
  std::optional<std::span<const std::byte>> value;  // nullopt = null
};

/// One decoded record; spans point into the (decompressed) records bytes.
struct record_view {
  std::int8_t attributes = 0;
  std::int64_t timestamp_delta = 0;
  std::int32_t offset_delta = 0;
  std::optional<std::span<const std::byte>> key;    // nullopt = null
  std::optional<std::span<const std::byte>> value;  // nullopt = null (tombstone)
  std::vector<record_header_view> headers;
};

/// Decodes `count` records from `records` (the bytes after the header,
/// decompressed). Returns an empty string on success, else why it failed;
/// `fn` is called for each record as it is decoded. Trailing bytes are an error.
std::string for_each_record(std::span<const std::byte> records, std::int32_t count,
                            const std::function<void(const record_view&)>& fn);

/// The record bytes of `batch`: a span into the batch when uncompressed, else
/// decompressed into `scratch`. Empty string on success, else why not.
std::string batch_records(std::span<const std::byte> batch, std::vector<std::byte>& scratch,
                          std::span<const std::byte>& records, std::size_t max_uncompressed);

// --- validation ---------------------------------------------------------------

/// The one vocabulary of the append path: why a record set was not appended.
/// validate_batch gives the batch format errors; the partition log adds
/// storage_error, and the partition server maps each value once to its RPC
/// error (services/partition-server/errors.h). The names are Kafka's codes.
enum class append_errc {
  ok,
  corrupt_message,          // length, CRC or record-set framing wrong (CORRUPT_MESSAGE)
  invalid_record,           // magic, records, counts or offset deltas wrong, control batch (INVALID_RECORD)
  unsupported_compression,  // codec id 5..7 (UNSUPPORTED_COMPRESSION_TYPE)
  message_too_large,        // batch larger than max.message.bytes, or decompresses past the limit
  invalid_timestamp,        // CreateTime outside message.timestamp.before/after.max.ms
  storage_error,            // valid, but the log could not write it (KAFKA_STORAGE_ERROR); never from validate_batch
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
  std::size_t max_uncompressed_bytes = 256u << 20;
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
/// a leader append, in Kafka's order (size before CRC, as Log.analyzeAndValidateRecords;
/// magic as ProduceRequest.validateRecords): sizes, magic, CRC, codec, control,
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

// --- filtering (log compaction) -------------------------------------------------

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
                           std::size_t max_uncompressed = 256u << 20);

// --- building -----------------------------------------------------------------

struct record_to_build {
  std::optional<std::string> key;
  std::optional<std::string> value;
  std::vector<std::pair<std::string, std::optional<std::string>>> headers;
  std::int64_t timestamp = 0;
};

struct batch_build_options {
  compression_codec codec = compression_codec::none;
  bool snappy_xerial = false;  // frame snappy the way the Java client does
  std::int64_t base_offset = 0;
  std::int32_t partition_leader_epoch = -1;
  timestamp_type ts_type = timestamp_type::create_time;
  bool transactional = false;
  bool control = false;
  std::int64_t producer_id = -1;
  std::int16_t producer_epoch = -1;
  std::int32_t base_sequence = -1;
};

/// Encodes one batch (records get offset deltas 0..n-1). For producers
/// inside the project and for tests.
std::vector<std::byte> build_batch(std::span<const record_to_build> records, const batch_build_options& options = {});

/// Appends one record in wire form (length prefix included) to `out`.
void encode_record(std::vector<std::byte>& out, const record_to_build& record, std::int64_t timestamp_delta,
                   std::int32_t offset_delta);

}  // namespace sluice::protocol
