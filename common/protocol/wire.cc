#include "common/protocol/wire.h"

#include <bit>
#include <cstring>
#include <limits>

#include "common/base/endian.h"

namespace sluice::protocol {

namespace {

std::string to_string(std::span<const std::byte> b) {
    return std::string(reinterpret_cast<const char*>(b.data()), b.size());
}

std::span<const std::byte> as_bytes(std::string_view s) {
    return std::as_bytes(std::span<const char>(s.data(), s.size()));
}

}  // namespace

// ---- reader ---------------------------------------------------------------

std::span<const std::byte> reader::take(std::size_t n) {
    if (n > remaining()) {
        throw decode_error("truncated input: need " + std::to_string(n) + " bytes, " +
                           std::to_string(remaining()) + " left");
    }
    auto out = input_.subspan(pos_, n);
    pos_ += n;
    return out;
}

std::span<const std::byte> reader::read_raw(std::size_t n) { return take(n); }

std::size_t reader::read_length_checked(std::int64_t n, const char* what) {
    if (n < 0) throw decode_error(std::string("negative ") + what + " length");
    if (static_cast<std::uint64_t>(n) > remaining()) {
        throw decode_error(std::string(what) + " length " + std::to_string(n) + " exceeds the " +
                           std::to_string(remaining()) + " bytes left");
    }
    return static_cast<std::size_t>(n);
}

std::int8_t reader::read_int8() { return load_be<std::int8_t>(take(1).data()); }
std::int16_t reader::read_int16() { return load_be<std::int16_t>(take(2).data()); }
std::int32_t reader::read_int32() { return load_be<std::int32_t>(take(4).data()); }
std::int64_t reader::read_int64() { return load_be<std::int64_t>(take(8).data()); }
std::uint16_t reader::read_uint16() { return load_be<std::uint16_t>(take(2).data()); }
std::uint32_t reader::read_uint32() { return load_be<std::uint32_t>(take(4).data()); }
double reader::read_float64() { return std::bit_cast<double>(load_be<std::uint64_t>(take(8).data())); }
bool reader::read_bool() { return read_int8() != 0; }

uuid reader::read_uuid() {
    uuid u;
    auto b = take(16);
    std::memcpy(u.bytes.data(), b.data(), 16);
    return u;
}

std::uint32_t reader::read_unsigned_varint() {
    std::uint32_t v = 0;
    for (int i = 0; i < 5; ++i) {
        const auto b = std::to_integer<std::uint32_t>(take(1)[0]);
        // The fifth group may only carry the top 4 bits of a 32-bit value.
        if (i == 4 && (b & 0xf0) != 0) throw decode_error("unsigned varint overflows 32 bits");
        v |= (b & 0x7f) << (7 * i);
        if ((b & 0x80) == 0) return v;
    }
    throw decode_error("unsigned varint longer than 5 bytes");
}

std::int32_t reader::read_varint() {
    const std::uint32_t z = read_unsigned_varint();
    return static_cast<std::int32_t>((z >> 1) ^ (~(z & 1) + 1));
}

std::int64_t reader::read_varlong() {
    std::uint64_t z = 0;
    for (int i = 0; i < 10; ++i) {
        const auto b = std::to_integer<std::uint64_t>(take(1)[0]);
        if (i == 9 && (b & 0xfe) != 0) throw decode_error("varlong overflows 64 bits");
        z |= (b & 0x7f) << (7 * i);
        if ((b & 0x80) == 0) return static_cast<std::int64_t>((z >> 1) ^ (~(z & 1) + 1));
    }
    throw decode_error("varlong longer than 10 bytes");
}

std::string reader::read_string() {
    auto s = read_nullable_string();
    if (!s) throw decode_error("null in a non-nullable string");
    return std::move(*s);
}

std::optional<std::string> reader::read_nullable_string() {
    const std::int16_t n = read_int16();
    if (n == -1) return std::nullopt;
    return to_string(take(read_length_checked(n, "string")));
}

std::string reader::read_compact_string() {
    auto s = read_compact_nullable_string();
    if (!s) throw decode_error("null in a non-nullable compact string");
    return std::move(*s);
}

std::optional<std::string> reader::read_compact_nullable_string() {
    const std::uint32_t n = read_unsigned_varint();
    if (n == 0) return std::nullopt;
    return to_string(take(read_length_checked(std::int64_t{n} - 1, "compact string")));
}

records_view reader::read_nullable_bytes_view() {
    const std::int32_t n = read_int32();
    if (n == -1) return std::nullopt;
    return take(read_length_checked(n, "bytes"));
}

records_view reader::read_compact_nullable_bytes_view() {
    const std::uint32_t n = read_unsigned_varint();
    if (n == 0) return std::nullopt;
    return take(read_length_checked(std::int64_t{n} - 1, "compact bytes"));
}

std::optional<std::vector<std::byte>> reader::read_nullable_bytes() {
    auto v = read_nullable_bytes_view();
    if (!v) return std::nullopt;
    return std::vector<std::byte>(v->begin(), v->end());
}

std::optional<std::vector<std::byte>> reader::read_compact_nullable_bytes() {
    auto v = read_compact_nullable_bytes_view();
    if (!v) return std::nullopt;
    return std::vector<std::byte>(v->begin(), v->end());
}

std::vector<std::byte> reader::read_bytes() {
    auto v = read_nullable_bytes();
    if (!v) throw decode_error("null in non-nullable bytes");
    return std::move(*v);
}

std::vector<std::byte> reader::read_compact_bytes() {
    auto v = read_compact_nullable_bytes();
    if (!v) throw decode_error("null in non-nullable compact bytes");
    return std::move(*v);
}

std::int32_t reader::read_array_length() {
    const std::int32_t n = read_int32();
    if (n == -1) return -1;
    return static_cast<std::int32_t>(read_length_checked(n, "array"));
}

std::int32_t reader::read_compact_array_length() {
    const std::uint32_t n = read_unsigned_varint();
    if (n == 0) return -1;
    return static_cast<std::int32_t>(read_length_checked(std::int64_t{n} - 1, "compact array"));
}

// ---- writer ---------------------------------------------------------------

template <class T>
void writer::put_be(T v) {
    const std::size_t at = buf_.size();
    buf_.resize(at + sizeof(T));
    store_be<T>(buf_.data() + at, v);
}

void writer::write_int8(std::int8_t v) { put_be(v); }
void writer::write_int16(std::int16_t v) { put_be(v); }
void writer::write_int32(std::int32_t v) { put_be(v); }
void writer::write_int64(std::int64_t v) { put_be(v); }
void writer::write_uint16(std::uint16_t v) { put_be(v); }
void writer::write_uint32(std::uint32_t v) { put_be(v); }
void writer::write_float64(double v) { put_be(std::bit_cast<std::uint64_t>(v)); }
void writer::write_uuid(const uuid& v) { write_raw(v.bytes); }

void writer::write_unsigned_varint(std::uint32_t v) {
    while (v >= 0x80) {
        buf_.push_back(static_cast<std::byte>((v & 0x7f) | 0x80));
        v >>= 7;
    }
    buf_.push_back(static_cast<std::byte>(v));
}

void writer::write_varint(std::int32_t v) {
    const auto u = static_cast<std::uint32_t>(v);
    write_unsigned_varint((u << 1) ^ static_cast<std::uint32_t>(v >> 31));
}

void writer::write_varlong(std::int64_t v) {
    const auto u = static_cast<std::uint64_t>(v);
    std::uint64_t z = (u << 1) ^ static_cast<std::uint64_t>(v >> 63);
    while (z >= 0x80) {
        buf_.push_back(static_cast<std::byte>((z & 0x7f) | 0x80));
        z >>= 7;
    }
    buf_.push_back(static_cast<std::byte>(z));
}

namespace {

std::int32_t checked_length(std::size_t n, std::size_t max, const char* what) {
    if (n > max) throw std::length_error(std::string(what) + " too long for its length field");
    return static_cast<std::int32_t>(n);
}

constexpr std::size_t max_int16 = std::numeric_limits<std::int16_t>::max();
constexpr std::size_t max_int32 = std::numeric_limits<std::int32_t>::max();
// Compact lengths are stored +1 in a uint32 and read back as int32 counts.
constexpr std::size_t max_compact = max_int32 - 1;

}  // namespace

void writer::write_string(std::string_view s) {
    write_int16(static_cast<std::int16_t>(checked_length(s.size(), max_int16, "string")));
    write_raw(as_bytes(s));
}

void writer::write_nullable_string(const std::optional<std::string>& s) {
    if (!s) return write_int16(-1);
    write_string(*s);
}

void writer::write_compact_string(std::string_view s) {
    write_unsigned_varint(static_cast<std::uint32_t>(checked_length(s.size(), max_compact, "string")) + 1);
    write_raw(as_bytes(s));
}

void writer::write_compact_nullable_string(const std::optional<std::string>& s) {
    if (!s) return write_unsigned_varint(0);
    write_compact_string(*s);
}

void writer::write_bytes(std::span<const std::byte> b) {
    write_int32(checked_length(b.size(), max_int32, "bytes"));
    write_raw(b);
}

void writer::write_nullable_bytes(std::optional<std::span<const std::byte>> b) {
    if (!b) return write_int32(-1);
    write_bytes(*b);
}

void writer::write_compact_bytes(std::span<const std::byte> b) {
    write_unsigned_varint(static_cast<std::uint32_t>(checked_length(b.size(), max_compact, "bytes")) + 1);
    write_raw(b);
}

void writer::write_compact_nullable_bytes(std::optional<std::span<const std::byte>> b) {
    if (!b) return write_unsigned_varint(0);
    write_compact_bytes(*b);
}

void writer::write_array_length(std::int32_t n) { write_int32(n < 0 ? -1 : n); }

void writer::write_compact_array_length(std::int32_t n) {
    write_unsigned_varint(n < 0 ? 0 : static_cast<std::uint32_t>(n) + 1);
}

void writer::write_raw(std::span<const std::byte> b) { buf_.insert(buf_.end(), b.begin(), b.end()); }

void writer::write_tagged_field(std::uint32_t tag, std::span<const std::byte> field) {
    write_unsigned_varint(tag);
    write_unsigned_varint(static_cast<std::uint32_t>(checked_length(field.size(), max_compact, "tagged field")));
    write_raw(field);
}

void writer::patch_int32(std::size_t pos, std::int32_t v) {
    if (pos > buf_.size() || buf_.size() - pos < 4) throw std::out_of_range("patch_int32 past the end");
    const auto u = static_cast<std::uint32_t>(v);
    for (int i = 0; i < 4; ++i) buf_[pos + i] = static_cast<std::byte>(u >> (8 * (3 - i)));
}

}  // namespace sluice::protocol
