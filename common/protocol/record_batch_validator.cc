#include "common/protocol/record_batch_validator.h"

#include <algorithm>
#include <vector>

namespace sluice::protocol {
namespace {

namespace L = batch_layout;

// a - b without overflow, clamped to int64.
std::int64_t saturating_sub(std::int64_t a, std::int64_t b) noexcept {
  std::int64_t r;
  if (__builtin_sub_overflow(a, b, &r)) return a > b ? INT64_MAX : INT64_MIN;
  return r;
}

batch_validation fail(append_errc e, std::string message) { return {{e, std::move(message)}, {}}; }

}  // namespace

bool header_is_sane(const batch_header& h) noexcept {
  return h.magic() == L::current_magic && h.last_offset_delta() >= 0;
}

bool batch_is_intact(std::span<const std::byte> batch) noexcept {
  if (batch.size() < L::header_size) return false;
  const batch_header h(batch);
  return h.total_size() == static_cast<std::int64_t>(batch.size()) && header_is_sane(h) &&
         h.crc() == compute_batch_crc(batch);
}

batch_validation validate_batch(std::span<const std::byte> batch, const validate_options& options) {
  if (batch.size() < L::header_size)
    return fail(append_errc::corrupt_message, "batch of " + std::to_string(batch.size()) + " bytes is shorter than its header");
  const batch_header h(batch);
  if (h.total_size() != static_cast<std::int64_t>(batch.size()))
    return fail(append_errc::corrupt_message, "batch_length " + std::to_string(h.batch_length()) +
                                                 " does not match the " + std::to_string(batch.size()) + " bytes sent");
  if (h.magic() != L::current_magic)
    return fail(append_errc::invalid_record, "record batch magic " + std::to_string(h.magic()) + " is not 2");
  if (batch.size() > static_cast<std::size_t>(std::max<std::int32_t>(options.max_batch_bytes, 0)))
    return fail(append_errc::message_too_large, "batch of " + std::to_string(batch.size()) +
                                                   " bytes exceeds max.message.bytes " +
                                                   std::to_string(options.max_batch_bytes));
  if (const std::uint32_t crc = compute_batch_crc(batch); crc != h.crc())
    return fail(append_errc::corrupt_message, "CRC-32C mismatch: batch says " + std::to_string(h.crc()) +
                                                 ", computed " + std::to_string(crc));
  const auto codec = codec_from_attributes(h.attributes());
  if (!codec)
    return fail(append_errc::unsupported_compression, "unknown compression codec " + std::to_string(h.codec_id()));
  if (h.is_control() && !options.allow_control)
    return fail(append_errc::invalid_record, "producers may not send control batches");
  const std::int32_t count = h.records_count();
  if (count <= 0) return fail(append_errc::invalid_record, "batch has " + std::to_string(count) + " records");
  if (h.last_offset_delta() != count - 1)
    return fail(append_errc::invalid_record, "last_offset_delta " + std::to_string(h.last_offset_delta()) +
                                                " does not match " + std::to_string(count) + " records");
  if (h.producer_id() >= 0 && h.base_sequence() < 0)
    return fail(append_errc::invalid_record, "idempotent batch with negative base_sequence");

  std::vector<std::byte> scratch;
  std::span<const std::byte> records;
  if (auto ec = batch_records(batch, codec.value(), scratch, records, options.max_uncompressed_bytes)) {
    const bool too_big = ec == compression_errc::output_too_large;
    return fail(too_big ? append_errc::message_too_large : append_errc::corrupt_message,
                codec_error_text(codec.value(), ec));
  }

  const bool check_time = h.ts_type() == timestamp_type::create_time &&
                          (options.timestamp_before_max_ms != INT64_MAX || options.timestamp_after_max_ms != INT64_MAX);
  batch_validation result;
  result.summary.records_count = count;
  std::int64_t max_ts = INT64_MIN;
  record_reader reader(records);
  record_view record;  // reused; headers are checked but not stored
  for (std::int32_t i = 0; i < count; ++i) {
    if (const char* err = reader.next(record, false))
      return fail(append_errc::invalid_record, "record " + std::to_string(i) + ": " + err);
    const std::int64_t ts = h.base_timestamp() + record.timestamp_delta;
    if (options.require_keys && !record.key)
      return fail(append_errc::invalid_record, "record " + std::to_string(i) +
                                                  ": compacted topic cannot accept a record without a key");
    if (record.offset_delta != i)
      return fail(append_errc::invalid_record, "record " + std::to_string(i) + " has offset delta " +
                                                  std::to_string(record.offset_delta));
    if (ts > max_ts) {
      max_ts = ts;
      result.summary.max_timestamp_offset_delta = i;
    }
    if (check_time) {
      if (saturating_sub(options.now_ms, ts) > options.timestamp_before_max_ms ||
          saturating_sub(ts, options.now_ms) > options.timestamp_after_max_ms)
        return fail(append_errc::invalid_timestamp, "record " + std::to_string(i) + " timestamp " +
                                                       std::to_string(ts) + " is out of the allowed range");
    }
  }
  if (reader.left() != 0)
    return fail(append_errc::invalid_record, std::to_string(reader.left()) + " bytes follow the last record");
  result.summary.max_timestamp = max_ts;
  return result;
}

}  // namespace sluice::protocol
