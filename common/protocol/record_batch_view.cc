#include "common/protocol/record_batch_view.h"

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

}  // namespace

std::uint32_t compute_batch_crc(std::span<const std::byte> batch) noexcept {
  return crc32c(batch.subspan(L::crc_start));
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

const char* record_reader::next(record_view& out, bool with_headers) noexcept {
  cursor c{p_, end_};
  const std::int32_t length = c.varint();
  if (c.error) return c.error;
  if (length < 0 || static_cast<std::size_t>(length) > c.left()) return "record length out of range";
  last_ = p_;
  p_ = c.p + length;
  cursor r{c.p, p_};
  if (r.left() < 1) return "record too short";
  out.attributes = static_cast<std::int8_t>(*r.p++);
  out.timestamp_delta = r.varlong();
  out.offset_delta = r.varint();
  out.key = r.bytes(true, "bad record key length");
  out.value = r.bytes(true, "bad record value length");
  const std::int32_t header_count = r.varint();
  if (r.error) return r.error;
  if (header_count < 0) return "negative header count";
  out.headers.clear();
  for (std::int32_t i = 0; i < header_count; ++i) {
    auto hkey = r.bytes(false, "bad header key length");
    auto hvalue = r.bytes(true, "bad header value length");
    if (r.error) return r.error;
    if (with_headers)
      out.headers.push_back({std::string_view(reinterpret_cast<const char*>(hkey->data()), hkey->size()), hvalue});
  }
  if (r.p != r.end) return "record has trailing bytes";
  return nullptr;
}

std::string for_each_record(std::span<const std::byte> records, std::int32_t count,
                            const std::function<void(const record_view&)>& fn) {
  record_reader reader(records);
  record_view view;
  for (std::int32_t i = 0; i < count; ++i) {
    if (const char* err = reader.next(view)) return err;
    fn(view);
  }
  if (reader.left() != 0) return "bytes left after the last record";
  return {};
}

std::error_code batch_records(std::span<const std::byte> batch, compression_codec codec,
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

std::string batch_records(std::span<const std::byte> batch, std::vector<std::byte>& scratch,
                          std::span<const std::byte>& records, std::size_t max_uncompressed) {
  if (batch.size() < L::header_size) return "batch shorter than its header";
  const batch_header h(batch);
  const auto codec = codec_from_attributes(h.attributes());
  if (!codec) return "unsupported compression codec " + std::to_string(h.codec_id());
  if (auto ec = batch_records(batch, codec.value(), scratch, records, max_uncompressed))
    return codec_error_text(codec.value(), ec);
  return {};
}

}  // namespace sluice::protocol
