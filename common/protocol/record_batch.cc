#include "common/protocol/record_batch.h"

#include <algorithm>
#include <limits>

#include "common/protocol/crc32c.h"

namespace sluice::protocol {
namespace {

namespace L = batch_layout;

// Bounds-checked cursor over record bytes. Every read either succeeds or
// leaves `error` set; callers check once per record.
struct cursor {
  const std::byte* p;
  const std::byte* end;
  const char* error = nullptr;

  std::size_t left() const noexcept { return static_cast<std::size_t>(end - p); }

  std::uint64_t uvarint(int max_bytes) noexcept {
    std::uint64_t v = 0;
    for (int i = 0; i < max_bytes; ++i) {
      if (p == end) {
        error = "varint runs past the end";
        return 0;
      }
      const auto b = static_cast<std::uint8_t>(*p++);
      v |= std::uint64_t(b & 0x7F) << (7 * i);
      if ((b & 0x80) == 0) return v;
    }
    error = "varint too long";
    return 0;
  }
  std::int32_t varint() noexcept {
    const auto u = static_cast<std::uint32_t>(uvarint(5));
    return static_cast<std::int32_t>((u >> 1) ^ (~(u & 1) + 1));
  }
  std::int64_t varlong() noexcept {
    const std::uint64_t u = uvarint(10);
    return static_cast<std::int64_t>((u >> 1) ^ (~(u & 1) + 1));
  }
  /// Length-prefixed bytes; nullopt for -1 when `nullable`.
  std::optional<std::span<const std::byte>> bytes(bool nullable, const char* what) noexcept {
    const std::int32_t n = varint();
    if (error) return std::nullopt;
    if (n < 0) {
      if (n != -1 || !nullable) error = what;
      return std::nullopt;
    }
    if (static_cast<std::size_t>(n) > left()) {
      error = what;
      return std::nullopt;
    }
    std::span<const std::byte> s(p, static_cast<std::size_t>(n));
    p += n;
    return s;
  }
};

// Decodes one record at c.p. With `out` null nothing is stored (the
// validation fast path: no allocation). Returns an error text or nullptr.
const char* parse_record(cursor& c, record_view* out) noexcept {
  const std::int32_t length = c.varint();
  if (c.error) return c.error;
  if (length < 0 || static_cast<std::size_t>(length) > c.left()) return "record length out of range";
  cursor r{c.p, c.p + length};
  c.p += length;
  if (r.left() < 1) return "record too short";
  const auto attributes = static_cast<std::int8_t>(*r.p++);
  const std::int64_t ts_delta = r.varlong();
  const std::int32_t offset_delta = r.varint();
  auto key = r.bytes(true, "bad record key length");
  auto value = r.bytes(true, "bad record value length");
  const std::int32_t header_count = r.varint();
  if (r.error) return r.error;
  if (header_count < 0) return "negative header count";
  if (out) {
    out->attributes = attributes;
    out->timestamp_delta = ts_delta;
    out->offset_delta = offset_delta;
    out->key = key;
    out->value = value;
    out->headers.clear();
  }
  for (std::int32_t i = 0; i < header_count; ++i) {
    auto hkey = r.bytes(false, "bad header key length");
    auto hvalue = r.bytes(true, "bad header value length");
    if (r.error) return r.error;
    if (out)
      out->headers.push_back({std::string_view(reinterpret_cast<const char*>(hkey->data()), hkey->size()), hvalue});
  }
  if (r.p != r.end) return "record has trailing bytes";
  return nullptr;
}

// a - b without overflow, clamped to int64.
std::int64_t saturating_sub(std::int64_t a, std::int64_t b) noexcept {
  std::int64_t r;
  if (__builtin_sub_overflow(a, b, &r)) return a > b ? INT64_MAX : INT64_MIN;
  return r;
}

batch_validation fail(append_errc e, std::string message) {
  batch_validation v;
  v.error = e;
  v.message = std::move(message);
  return v;
}

// The record bytes after the header, `codec` already checked: a span into
// `batch` when uncompressed, else decompressed into `scratch`.
std::error_code decompress_records(std::span<const std::byte> batch, compression_codec codec,
                                   std::vector<std::byte>& scratch, std::span<const std::byte>& records,
                                   std::size_t max_uncompressed) {
  auto body = batch.subspan(L::records);
  if (codec == compression_codec::none) {
    records = body;
    return {};
  }
  auto out = decompress(codec, body, max_uncompressed);
  if (!out) return out.error();
  scratch = std::move(out).value();
  records = scratch;
  return {};
}

std::string codec_failure(compression_codec codec, const std::error_code& ec) {
  return std::string(codec_name(codec)) + ": " + ec.message();
}

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

std::uint32_t compute_batch_crc(std::span<const std::byte> batch) noexcept {
  return crc32c(batch.subspan(L::crc_start));
}

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

std::optional<std::span<const std::byte>> batch_iterator::next() noexcept {
  if (reason_ != stop_reason::none) return std::nullopt;
  const std::size_t left = bytes_.size() - pos_;
  if (left == 0) {
    reason_ = stop_reason::end;
    return std::nullopt;
  }
  if (left < L::header_size) {
    reason_ = stop_reason::truncated;
    return std::nullopt;
  }
  const auto length = load_be<std::int32_t>(bytes_.data() + pos_ + L::batch_length);
  if (length < min_batch_length) {
    reason_ = stop_reason::bad_length;
    return std::nullopt;
  }
  const std::size_t total = static_cast<std::size_t>(length) + L::log_overhead;
  if (total > left) {
    reason_ = stop_reason::truncated;
    return std::nullopt;
  }
  auto batch = bytes_.subspan(pos_, total);
  pos_ += total;
  return batch;
}

std::string for_each_record(std::span<const std::byte> records, std::int32_t count,
                            const std::function<void(const record_view&)>& fn) {
  cursor c{records.data(), records.data() + records.size()};
  record_view view;
  for (std::int32_t i = 0; i < count; ++i) {
    if (const char* err = parse_record(c, &view)) return err;
    fn(view);
  }
  if (c.p != c.end) return "bytes left after the last record";
  return {};
}

std::string batch_records(std::span<const std::byte> batch, std::vector<std::byte>& scratch,
                          std::span<const std::byte>& records, std::size_t max_uncompressed) {
  if (batch.size() < L::header_size) return "batch shorter than its header";
  const batch_header h(batch);
  const auto codec = codec_from_attributes(h.attributes());
  if (!codec) return "unsupported compression codec " + std::to_string(h.codec_id());
  if (auto ec = decompress_records(batch, codec.value(), scratch, records, max_uncompressed))
    return codec_failure(codec.value(), ec);
  return {};
}

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
  if (auto ec = decompress_records(batch, codec.value(), scratch, records, options.max_uncompressed_bytes)) {
    const bool too_big = ec == compression_errc::output_too_large;
    return fail(too_big ? append_errc::message_too_large : append_errc::corrupt_message,
                codec_failure(codec.value(), ec));
  }

  const bool check_time = h.ts_type() == timestamp_type::create_time &&
                          (options.timestamp_before_max_ms != INT64_MAX || options.timestamp_after_max_ms != INT64_MAX);
  batch_validation result;
  result.summary.records_count = count;
  std::int64_t max_ts = INT64_MIN;
  cursor c{records.data(), records.data() + records.size()};
  // Decode into a reusable view only for the fields we check; headers are
  // parsed but not stored.
  for (std::int32_t i = 0; i < count; ++i) {
    const std::byte* record_start = c.p;
    if (const char* err = parse_record(c, nullptr))
      return fail(append_errc::invalid_record, "record " + std::to_string(i) + ": " + err);
    // Re-read the two fields we need from the record just parsed; cheaper
    // than materialising a record_view.
    cursor r{record_start, c.p};
    r.varint();  // length
    ++r.p;       // attributes
    const std::int64_t ts = h.base_timestamp() + r.varlong();
    const std::int32_t delta = r.varint();
    if (options.require_keys && r.varint() < 0)
      return fail(append_errc::invalid_record, "record " + std::to_string(i) +
                                                  ": compacted topic cannot accept a record without a key");
    if (delta != i)
      return fail(append_errc::invalid_record, "record " + std::to_string(i) + " has offset delta " +
                                                  std::to_string(delta));
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
  if (c.p != c.end)
    return fail(append_errc::invalid_record, std::to_string(c.left()) + " bytes follow the last record");
  result.summary.max_timestamp = max_ts;
  return result;
}

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
  if (auto ec = decompress_records(batch, codec.value(), scratch, records, max_uncompressed)) {
    out.error = codec_failure(codec.value(), ec);
    return out;
  }
  const std::int32_t count = h.records_count();
  std::vector<std::byte> body;
  std::int64_t max_ts = -1;
  cursor c{records.data(), records.data() + records.size()};
  record_view view;
  for (std::int32_t i = 0; i < count; ++i) {
    const std::byte* start = c.p;
    if (const char* err = parse_record(c, &view)) {
      out.error = "record " + std::to_string(i) + ": " + err;
      return out;
    }
    ++out.records_before;
    if (!keep(view)) continue;
    ++out.records_after;
    body.insert(body.end(), start, c.p);
    max_ts = std::max(max_ts, h.base_timestamp() + view.timestamp_delta);
  }
  if (c.p != c.end) {
    out.error = std::to_string(c.left()) + " bytes follow the last record";
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
      out.error = codec_failure(codec.value(), packed.error());
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
