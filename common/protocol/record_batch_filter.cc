#include "common/protocol/record_batch_filter.h"

#include <algorithm>

#include "common/protocol/record_batch_validator.h"

namespace sluice::protocol {

namespace L = batch_layout;

filter_result filter_batch(std::span<const std::byte> batch, const std::function<bool(const record_view&)>& keep,
                           std::size_t max_uncompressed) {
  filter_result out;
  if (!batch_is_intact(batch)) {
    out.error = "batch length, magic or CRC-32C is wrong";
    return out;
  }
  const batch_header h(batch);
  const auto codec = codec_from_attributes(h.attributes());
  if (!codec) {
    out.error = "unsupported compression codec " + std::to_string(h.codec_id());
    return out;
  }
  std::vector<std::byte> scratch;
  std::span<const std::byte> records;
  if (auto ec = batch_records(batch, codec.value(), scratch, records, max_uncompressed)) {
    out.error = codec_error_text(codec.value(), ec);
    return out;
  }
  const std::int32_t count = h.records_count();
  std::vector<std::byte> body;
  std::int64_t max_ts = -1;
  record_reader reader(records);
  record_view view;
  for (std::int32_t i = 0; i < count; ++i) {
    if (const char* err = reader.next(view)) {
      out.error = "record " + std::to_string(i) + ": " + err;
      return out;
    }
    ++out.records_before;
    if (!keep(view)) continue;
    ++out.records_after;
    const auto kept = reader.last_record();
    body.insert(body.end(), kept.begin(), kept.end());
    max_ts = std::max(max_ts, h.base_timestamp() + view.timestamp_delta);
  }
  if (reader.left() != 0) {
    out.error = std::to_string(reader.left()) + " bytes follow the last record";
    return out;
  }
  if (out.records_after == out.records_before) {
    out.outcome = filter_outcome::kept_all;
    return out;
  }
  if (out.records_after == 0) {
    out.outcome = filter_outcome::emptied;
    return out;
  }
  if (codec.value() != compression_codec::none) {
    // Keep the framing the batch came with: a client that sent xerial
    // snappy (Java, kafka-python) reads it back the same way.
    const bool xerial = codec.value() == compression_codec::snappy && is_snappy_xerial(batch.subspan(L::records));
    auto packed = compress(codec.value(), body, xerial);
    if (!packed) {
      out.error = codec_error_text(codec.value(), packed.error());
      return out;
    }
    body = std::move(packed).value();
  }
  out.bytes.resize(L::header_size + body.size());
  std::copy(batch.begin(), batch.begin() + L::header_size, out.bytes.begin());
  std::copy(body.begin(), body.end(), out.bytes.begin() + L::header_size);
  std::byte* p = out.bytes.data();
  store_be(p + L::batch_length, static_cast<std::int32_t>(out.bytes.size() - L::log_overhead));
  store_be(p + L::records_count, out.records_after);
  if (h.ts_type() == timestamp_type::create_time) store_be(p + L::max_timestamp, max_ts);
  store_be(p + L::crc, compute_batch_crc(out.bytes));
  out.outcome = filter_outcome::rewritten;
  return out;
}

}  // namespace sluice::protocol
