#pragma once
// Kafka wire primitives: a bounds-checked reader and an appending writer.
//
// Encodings (Kafka's protocol guide, "Protocol Primitive Types"), all big-endian:
//   int8..int64, uint16, uint32   fixed width
//   float64                       IEEE-754 bits as a big-endian uint64
//   bool                          one byte, non-zero = true
//   uuid                          16 raw bytes
//   varint / varlong              zig-zag, then 7-bit groups, low group first,
//                                 high bit = "more follows"; at most 5 / 10 bytes
//   unsigned varint               the same groups without zig-zag (compact
//                                 lengths, tags)
//   string / bytes                int16 / int32 length, -1 = null
//   compact string / bytes        unsigned varint length+1, 0 = null
//   array                         int32 count (-1 = null), or compact: uvarint count+1
//   tagged-field section          uvarint count, then per field: uvarint tag,
//                                 uvarint size, size bytes
//
// The reader is fed bytes from the network, so every read is checked: running
// past the end, a negative or oversized length, or an over-long varint throws
// decode_error and nothing is read out of bounds. Lengths are checked against
// the bytes that remain before anything is allocated, so a 4-byte claim of
// "2 GiB follow" costs nothing.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sluice::protocol {

/// Thrown by `reader` for any malformed or truncated input. The gateway turns
/// it into "close this connection"; it never escapes as a crash.
class decode_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// A Kafka UUID (topic ids): 16 bytes, all zero = "no id".
struct uuid {
    std::array<std::byte, 16> bytes{};

    bool operator==(const uuid&) const = default;
    bool is_zero() const { return *this == uuid{}; }
};

/// Record batches inside a message, never copied by the codec: after decode
/// the span points into the buffer that was decoded (keep it alive); before
/// encode the caller keeps the bytes alive. nullopt = null records.
using records_view = std::optional<std::span<const std::byte>>;

/// Reads Kafka primitives from a byte span it does not own.
///
/// Invariant: position() <= size of the input; every read either consumes
/// exactly what it returns or throws decode_error and leaves the reader in an
/// unspecified (but in-bounds) state.
class reader {
public:
    explicit reader(std::span<const std::byte> input) : input_(input) {}

    std::size_t position() const { return pos_; }
    std::size_t remaining() const { return input_.size() - pos_; }
    bool empty() const { return remaining() == 0; }

    std::int8_t read_int8();
    std::int16_t read_int16();
    std::int32_t read_int32();
    std::int64_t read_int64();
    std::uint16_t read_uint16();
    std::uint32_t read_uint32();
    double read_float64();
    bool read_bool();
    uuid read_uuid();

    std::int32_t read_varint();
    std::int64_t read_varlong();
    std::uint32_t read_unsigned_varint();

    std::string read_string();
    std::optional<std::string> read_nullable_string();
    std::string read_compact_string();
    std::optional<std::string> read_compact_nullable_string();

    std::vector<std::byte> read_bytes();
    std::optional<std::vector<std::byte>> read_nullable_bytes();
    std::vector<std::byte> read_compact_bytes();
    std::optional<std::vector<std::byte>> read_compact_nullable_bytes();
    /// Nullable bytes without a copy: the span points into the input.
    records_view read_nullable_bytes_view();
    records_view read_compact_nullable_bytes_view();

    /// Array counts: -1 means null. A count larger than the bytes left is
    /// rejected, since every element takes at least one byte.
    std::int32_t read_array_length();
    std::int32_t read_compact_array_length();

    /// `n` raw bytes, as a view into the input.
    std::span<const std::byte> read_raw(std::size_t n);
    void skip(std::size_t n) { (void)read_raw(n); }

    /// Reads a tagged-field section, calling `on_field(tag, field_reader)` for
    /// each field; `field_reader` covers exactly that field's bytes, so fields
    /// the callback does not know are skipped by simply not reading them.
    template <class OnField>
    void read_tagged_fields(OnField&& on_field) {
        const std::uint32_t count = read_unsigned_varint();
        for (std::uint32_t i = 0; i < count; ++i) {
            const std::uint32_t tag = read_unsigned_varint();
            const std::uint32_t size = read_unsigned_varint();
            reader field(read_raw(size));
            on_field(tag, field);
        }
    }
    void skip_tagged_fields() {
        read_tagged_fields([](std::uint32_t, reader&) {});
    }

private:
    std::span<const std::byte> take(std::size_t n);
    std::size_t read_length_checked(std::int64_t n, const char* what);

    std::span<const std::byte> input_;
    std::size_t pos_ = 0;
};

/// Appends Kafka primitives to a buffer it owns.
///
/// A length that does not fit its field (a string over 32767 bytes, bytes or
/// an array over 2^31-1) throws std::length_error: only a bug on the sending
/// side can cause that, never bytes from the network.
class writer {
public:
    writer() = default;

    std::size_t position() const { return buf_.size(); }
    std::size_t size() const { return buf_.size(); }
    std::span<const std::byte> data() const { return buf_; }
    /// Moves the bytes out; the writer is empty afterwards.
    std::vector<std::byte> take() { return std::exchange(buf_, {}); }
    void reserve(std::size_t n) { buf_.reserve(n); }

    void write_int8(std::int8_t v);
    void write_int16(std::int16_t v);
    void write_int32(std::int32_t v);
    void write_int64(std::int64_t v);
    void write_uint16(std::uint16_t v);
    void write_uint32(std::uint32_t v);
    void write_float64(double v);
    void write_bool(bool v) { write_int8(v ? 1 : 0); }
    void write_uuid(const uuid& v);

    void write_varint(std::int32_t v);
    void write_varlong(std::int64_t v);
    void write_unsigned_varint(std::uint32_t v);

    void write_string(std::string_view s);
    void write_nullable_string(const std::optional<std::string>& s);
    void write_compact_string(std::string_view s);
    void write_compact_nullable_string(const std::optional<std::string>& s);

    void write_bytes(std::span<const std::byte> b);
    void write_nullable_bytes(std::optional<std::span<const std::byte>> b);
    void write_compact_bytes(std::span<const std::byte> b);
    void write_compact_nullable_bytes(std::optional<std::span<const std::byte>> b);

    /// n = -1 writes null.
    void write_array_length(std::int32_t n);
    void write_compact_array_length(std::int32_t n);

    void write_raw(std::span<const std::byte> b);
    /// One tagged field: tag, size, then the field's already-encoded bytes.
    void write_tagged_field(std::uint32_t tag, std::span<const std::byte> field);

    /// Overwrites 4 bytes at `pos` (e.g. a length written before its content).
    void patch_int32(std::size_t pos, std::int32_t v);

private:
    template <class T>
    void put_be(T v);

    std::vector<std::byte> buf_;
};

}  // namespace sluice::protocol
