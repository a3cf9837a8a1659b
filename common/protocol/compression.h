#pragma once
// The record batch codecs Kafka uses (attributes bits 0-2): gzip, snappy,
// lz4 and zstd, each as the clients put it on the wire.
//
// - gzip: a gzip stream (zlib-wrapped and concatenated members are accepted).
// - snappy: librdkafka sends raw snappy; the Java client and kafka-python send
//   the xerial framing (magic "\x82SNAPPY\0", two i32 versions, then blocks of
//   i32 big-endian length + raw snappy). decompress() accepts both.
// - lz4: the LZ4 frame format.
// - zstd: one or more zstd frames.
//
// Decompression is bounded by `max_output` so a tiny hostile batch cannot make
// the broker allocate gigabytes.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <system_error>
#include <vector>

#include "common/base/result.h"

namespace sluice::protocol {

enum class compression_codec : std::uint8_t { none = 0, gzip = 1, snappy = 2, lz4 = 3, zstd = 4 };

enum class compression_errc {
  ok = 0,
  unsupported_codec = 1,  // codec id 5..7
  corrupt_input = 2,      // the codec library refused the bytes
  output_too_large = 3,   // would decompress past max_output
};
const std::error_category& compression_category() noexcept;
inline std::error_code make_error_code(compression_errc e) noexcept {
  return {static_cast<int>(e), compression_category()};
}

/// The codec named by attribute bits 0-2, or unsupported_codec.
result<compression_codec> codec_from_attributes(std::int16_t attributes) noexcept;
const char* codec_name(compression_codec c) noexcept;
/// "<codec>: <what went wrong>", the text a batch error carries.
std::string codec_error_text(compression_codec c, const std::error_code& error);

/// Decompresses `input` as `codec` wrote it. codec none returns a copy.
result<std::vector<std::byte>> decompress(compression_codec codec, std::span<const std::byte> input,
                                          std::size_t max_output);

/// Whether snappy-compressed `input` uses the xerial framing (the Java
/// client's, and kafka-python's), rather than raw snappy.
bool is_snappy_xerial(std::span<const std::byte> input) noexcept;

/// Compresses `input` (raw snappy unless `snappy_xerial`). Used by tests,
/// tools and any service that writes batches of its own.
result<std::vector<std::byte>> compress(compression_codec codec, std::span<const std::byte> input,
                                        bool snappy_xerial = false);

}  // namespace sluice::protocol

template <>
struct std::is_error_code_enum<sluice::protocol::compression_errc> : std::true_type {};
