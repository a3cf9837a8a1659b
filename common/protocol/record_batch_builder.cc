#include "common/protocol/record_batch_builder.h"

#include <algorithm>

namespace sluice::protocol {
namespace {

namespace L = batch_layout;

void put_uvarint(std::vector<std::byte>& out, std::uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<std::byte>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<std::byte>(v));
}
void put_varint(std::vector<std::byte>& out, std::int64_t v) {
  put_uvarint(out, (static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63));
}
void put_bytes(std::vector<std::byte>& out, const std::optional<std::string>& s) {
  if (!s) {
    put_varint(out, -1);
    return;
  }
  put_varint(out, static_cast<std::int64_t>(s->size()));
  const auto* b = reinterpret_cast<const std::byte*>(s->data());
  out.insert(out.end(), b, b + s->size());
}

}  // namespace

void stamp_base_offset(std::span<std::byte> batch, std::int64_t base_offset) noexcept {
  store_be(batch.data() + L::base_offset, base_offset);
}

void stamp_partition_leader_epoch(std::span<std::byte> batch, std::int32_t epoch) noexcept {
  store_be(batch.data() + L::partition_leader_epoch, epoch);
}

void stamp_max_timestamp(std::span<std::byte> batch, std::int64_t max_timestamp, timestamp_type type) noexcept {
  auto attributes = load_be<std::int16_t>(batch.data() + L::attributes);
  if (type == timestamp_type::log_append_time)
    attributes = static_cast<std::int16_t>(attributes | L::timestamp_type_bit);
  else
    attributes = static_cast<std::int16_t>(attributes & ~L::timestamp_type_bit);
  store_be(batch.data() + L::attributes, attributes);
  store_be(batch.data() + L::max_timestamp, max_timestamp);
  store_be(batch.data() + L::crc, compute_batch_crc(batch));
}

void encode_record(std::vector<std::byte>& out, const record_to_build& record, std::int64_t timestamp_delta,
                   std::int32_t offset_delta) {
  std::vector<std::byte> body;
  body.push_back(std::byte{0});  // attributes
  put_varint(body, timestamp_delta);
  put_varint(body, offset_delta);
  put_bytes(body, record.key);
  put_bytes(body, record.value);
  put_varint(body, static_cast<std::int64_t>(record.headers.size()));
  for (const auto& [key, value] : record.headers) {
    put_bytes(body, key);
    put_bytes(body, value);
  }
  put_varint(out, static_cast<std::int64_t>(body.size()));
  out.insert(out.end(), body.begin(), body.end());
}

std::vector<std::byte> build_batch(std::span<const record_to_build> records, const batch_build_options& options) {
  const std::int64_t base_ts = records.empty() ? -1 : records.front().timestamp;
  std::int64_t max_ts = records.empty() ? -1 : records.front().timestamp;
  std::vector<std::byte> body;
  for (std::size_t i = 0; i < records.size(); ++i) {
    encode_record(body, records[i], records[i].timestamp - base_ts, static_cast<std::int32_t>(i));
    max_ts = std::max(max_ts, records[i].timestamp);
  }
  if (options.codec != compression_codec::none) {
    auto compressed = compress(options.codec, body, options.snappy_xerial);
    if (compressed) body = std::move(compressed).value();
  }
  std::vector<std::byte> out(L::header_size + body.size());
  std::byte* p = out.data();
  std::int16_t attributes = static_cast<std::int16_t>(options.codec);
  if (options.ts_type == timestamp_type::log_append_time) attributes |= L::timestamp_type_bit;
  if (options.transactional) attributes |= L::transactional_bit;
  if (options.control) attributes |= L::control_bit;
  store_be(p + L::base_offset, options.base_offset);
  store_be(p + L::batch_length, static_cast<std::int32_t>(out.size() - L::log_overhead));
  store_be(p + L::partition_leader_epoch, options.partition_leader_epoch);
  p[L::magic] = static_cast<std::byte>(L::current_magic);
  store_be(p + L::attributes, attributes);
  store_be(p + L::last_offset_delta, static_cast<std::int32_t>(records.size()) - 1);
  store_be(p + L::base_timestamp, base_ts);
  store_be(p + L::max_timestamp, max_ts);
  store_be(p + L::producer_id, options.producer_id);
  store_be(p + L::producer_epoch, options.producer_epoch);
  store_be(p + L::base_sequence, options.base_sequence);
  store_be(p + L::records_count, static_cast<std::int32_t>(records.size()));
  std::copy(body.begin(), body.end(), out.begin() + L::records);
  store_be(p + L::crc, compute_batch_crc(out));
  return out;
}

}  // namespace sluice::protocol
