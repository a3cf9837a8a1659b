#pragma once
// Reading Kafka RecordBatch v2 (magic 2): the layout, a read-only header
// view, iteration over concatenated batches and over the records of one,
// and access to a batch's (decompressed) record bytes.
//
// Batch layout (big-endian), as Apache Kafka's DefaultRecordBatch defines it:
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
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "common/base/endian.h"
#include "common/protocol/compression.h"

namespace sluice::protocol {

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

/// CRC-32C over bytes 21..end of a whole batch.
std::uint32_t compute_batch_crc(std::span<const std::byte> batch) noexcept;

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

/// How far one batch's records may decompress unless a caller sets its own
/// bound: a tiny hostile batch must not make the broker allocate gigabytes.
inline constexpr std::size_t max_uncompressed_batch_bytes = 256u << 20;

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

/// Reads the records of one batch from its (decompressed) record bytes, one
/// at a time. Every read is bounds-checked and either decodes a whole record
/// or says why not. The one record decoder: the validator, the filter and
/// for_each_record all read through it.
class record_reader {
 public:
  explicit record_reader(std::span<const std::byte> records) noexcept
      : p_(records.data()), end_(records.data() + records.size()), last_(p_) {}

  /// Decodes the next record into `out`: nullptr on success, else why not.
  /// Without `with_headers` the headers are checked but not stored, so a
  /// reused `out` never allocates (validation's fast path).
  const char* next(record_view& out, bool with_headers = true) noexcept;
  /// The wire bytes (length prefix included) of the record next() decoded last.
  std::span<const std::byte> last_record() const noexcept {
    return {last_, static_cast<std::size_t>(p_ - last_)};
  }
  /// Bytes after the records read so far.
  std::size_t left() const noexcept { return static_cast<std::size_t>(end_ - p_); }

 private:
  const std::byte* p_;
  const std::byte* end_;
  const std::byte* last_;
};

/// Decodes `count` records from `records` (the bytes after the header,
/// decompressed). Returns an empty string on success, else why it failed;
/// `fn` is called for each record as it is decoded. Trailing bytes are an error.
std::string for_each_record(std::span<const std::byte> records, std::int32_t count,
                            const std::function<void(const record_view&)>& fn);

/// The record bytes of `batch`: a span into the batch when uncompressed, else
/// decompressed into `scratch`. Checks the codec id first. Empty string on
/// success, else why not.
std::string batch_records(std::span<const std::byte> batch, std::vector<std::byte>& scratch,
                          std::span<const std::byte>& records, std::size_t max_uncompressed);

/// The same for a caller that decided the codec already (codec_from_attributes):
/// the decompression error, if any (codec_error_text describes it).
std::error_code batch_records(std::span<const std::byte> batch, compression_codec codec,
                              std::vector<std::byte>& scratch, std::span<const std::byte>& records,
                              std::size_t max_uncompressed);

}  // namespace sluice::protocol
