#include "common/protocol/compression.h"

#include <algorithm>
#include <cstring>
#include <string>

#include <lz4frame.h>
#include <snappy-c.h>
#include <zlib.h>
#include <zstd.h>

#include "common/base/endian.h"

namespace sluice::protocol {
namespace {

class compression_category_impl final : public std::error_category {
 public:
  const char* name() const noexcept override { return "sluice.compression"; }
  std::string message(int c) const override {
    switch (static_cast<compression_errc>(c)) {
      case compression_errc::ok: return "ok";
      case compression_errc::unsupported_codec: return "unsupported compression codec";
      case compression_errc::corrupt_input: return "compressed data is corrupt";
      case compression_errc::output_too_large: return "decompressed data exceeds the limit";
    }
    return "unknown compression error";
  }
};

constexpr std::byte kXerialMagic[8] = {std::byte{0x82}, std::byte{'S'}, std::byte{'N'}, std::byte{'A'},
                                       std::byte{'P'},  std::byte{'P'}, std::byte{'Y'}, std::byte{0}};
constexpr std::size_t kXerialHeader = 16;  // magic + i32 version + i32 compatible version
constexpr std::size_t kXerialBlock = 32 * 1024;

std::error_code corrupt() { return compression_errc::corrupt_input; }
std::error_code too_large() { return compression_errc::output_too_large; }

// Output buffer that grows by doubling up to `max`; streaming decoders write
// into free_space() and then commit() what they produced.
class bounded_output {
 public:
  bounded_output(std::size_t hint, std::size_t max) : max_(max) {
    buf_.resize(std::min(std::max<std::size_t>(hint, 4096), max_));
  }
  /// Makes room; false when the buffer already holds `max` bytes.
  bool grow() {
    if (buf_.size() >= max_) return false;
    buf_.resize(std::min(max_, buf_.size() * 2));
    return true;
  }
  std::byte* free_begin() { return buf_.data() + used_; }
  std::size_t free_size() const { return buf_.size() - used_; }
  void commit(std::size_t n) { used_ += n; }
  std::vector<std::byte> take() {
    buf_.resize(used_);
    return std::move(buf_);
  }

 private:
  std::vector<std::byte> buf_;
  std::size_t used_ = 0;
  std::size_t max_;
};

result<std::vector<std::byte>> gunzip(std::span<const std::byte> in, std::size_t max) {
  z_stream z{};
  // 15 + 32: accept gzip or zlib headers.
  if (inflateInit2(&z, 15 + 32) != Z_OK) return corrupt();
  bounded_output out(in.size() * 4, max);
  z.next_in = reinterpret_cast<Bytef*>(const_cast<std::byte*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  std::error_code err;
  for (;;) {
    if (out.free_size() == 0 && !out.grow()) {
      err = too_large();
      break;
    }
    z.next_out = reinterpret_cast<Bytef*>(out.free_begin());
    z.avail_out = static_cast<uInt>(std::min<std::size_t>(out.free_size(), UINT32_MAX));
    const uInt before = z.avail_out;
    const int rc = inflate(&z, Z_NO_FLUSH);
    out.commit(before - z.avail_out);
    if (rc == Z_STREAM_END) {
      if (z.avail_in == 0) break;
      // Another gzip member follows.
      if (inflateReset(&z) != Z_OK) {
        err = corrupt();
        break;
      }
      continue;
    }
    if (rc == Z_BUF_ERROR && z.avail_in == 0) {  // input ended mid-stream
      err = corrupt();
      break;
    }
    if (rc != Z_OK && rc != Z_BUF_ERROR) {
      err = corrupt();
      break;
    }
  }
  inflateEnd(&z);
  if (err) return err;
  return out.take();
}

// Appends the raw snappy block `in` to `out`.
std::error_code unsnappy_raw(std::span<const std::byte> in, std::size_t max, std::vector<std::byte>& out) {
  size_t n = 0;
  const auto* src = reinterpret_cast<const char*>(in.data());
  if (snappy_uncompressed_length(src, in.size(), &n) != SNAPPY_OK) return corrupt();
  if (n > max - std::min(max, out.size())) return too_large();
  const std::size_t at = out.size();
  out.resize(at + n);
  size_t written = n;
  if (snappy_uncompress(src, in.size(), reinterpret_cast<char*>(out.data() + at), &written) != SNAPPY_OK ||
      written != n)
    return corrupt();
  return {};
}

result<std::vector<std::byte>> unsnappy(std::span<const std::byte> in, std::size_t max) {
  std::vector<std::byte> out;
  if (!is_snappy_xerial(in)) {
    if (auto err = unsnappy_raw(in, max, out)) return err;
    return out;
  }
  std::size_t pos = kXerialHeader;
  while (pos < in.size()) {
    if (in.size() - pos < 4) return corrupt();
    const std::size_t len = load_be<std::uint32_t>(in.data() + pos);
    pos += 4;
    if (len > in.size() - pos) return corrupt();
    if (auto err = unsnappy_raw(in.subspan(pos, len), max, out)) return err;
    pos += len;
  }
  return out;
}

result<std::vector<std::byte>> unlz4(std::span<const std::byte> in, std::size_t max) {
  LZ4F_dctx* ctx = nullptr;
  if (LZ4F_isError(LZ4F_createDecompressionContext(&ctx, LZ4F_VERSION))) return corrupt();
  bounded_output out(in.size() * 4, max);
  std::size_t pos = 0;
  std::size_t hint = 1;  // non-zero: a frame is expected
  std::error_code err;
  while (pos < in.size()) {
    if (out.free_size() == 0 && !out.grow()) {
      err = too_large();
      break;
    }
    std::size_t dst = out.free_size();
    std::size_t src = in.size() - pos;
    hint = LZ4F_decompress(ctx, out.free_begin(), &dst, in.data() + pos, &src, nullptr);
    if (LZ4F_isError(hint)) {
      err = corrupt();
      break;
    }
    pos += src;
    out.commit(dst);
    if (src == 0 && dst == 0 && out.free_size() > 0) {  // no progress possible
      err = corrupt();
      break;
    }
  }
  // The decoder may still hold output after consuming all input.
  while (!err && hint != 0) {
    if (out.free_size() == 0 && !out.grow()) {
      err = too_large();
      break;
    }
    std::size_t dst = out.free_size();
    std::size_t src = 0;
    hint = LZ4F_decompress(ctx, out.free_begin(), &dst, nullptr, &src, nullptr);
    if (LZ4F_isError(hint) || (hint != 0 && dst == 0)) {
      err = corrupt();  // truncated frame
      break;
    }
    out.commit(dst);
  }
  LZ4F_freeDecompressionContext(ctx);
  if (err) return err;
  return out.take();
}

result<std::vector<std::byte>> unzstd(std::span<const std::byte> in, std::size_t max) {
  ZSTD_DCtx* ctx = ZSTD_createDCtx();
  if (ctx == nullptr) return corrupt();
  bounded_output out(in.size() * 4, max);
  ZSTD_inBuffer input{in.data(), in.size(), 0};
  std::size_t rc = 1;
  std::error_code err;
  for (;;) {
    if (out.free_size() == 0 && !out.grow()) {
      err = too_large();
      break;
    }
    ZSTD_outBuffer output{out.free_begin(), out.free_size(), 0};
    rc = ZSTD_decompressStream(ctx, &output, &input);
    if (ZSTD_isError(rc)) {
      err = corrupt();
      break;
    }
    out.commit(output.pos);
    if (input.pos == input.size && rc == 0) break;           // every frame complete
    if (input.pos == input.size && output.pos < output.size) {  // input ended mid-frame
      err = corrupt();
      break;
    }
  }
  ZSTD_freeDCtx(ctx);
  if (err) return err;
  return out.take();
}

result<std::vector<std::byte>> gzip(std::span<const std::byte> in) {
  z_stream z{};
  if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    return corrupt();
  std::vector<std::byte> out(deflateBound(&z, in.size()) + 32);
  z.next_in = reinterpret_cast<Bytef*>(const_cast<std::byte*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  if (rc != Z_STREAM_END) return corrupt();
  return out;
}

result<std::vector<std::byte>> snappy_raw(std::span<const std::byte> in) {
  std::vector<std::byte> out(snappy_max_compressed_length(in.size()));
  size_t n = out.size();
  if (snappy_compress(reinterpret_cast<const char*>(in.data()), in.size(), reinterpret_cast<char*>(out.data()),
                      &n) != SNAPPY_OK)
    return corrupt();
  out.resize(n);
  return out;
}

result<std::vector<std::byte>> snappy_xerial(std::span<const std::byte> in) {
  std::vector<std::byte> out(kXerialHeader);
  std::memcpy(out.data(), kXerialMagic, 8);
  store_be<std::uint32_t>(out.data() + 8, 1);
  store_be<std::uint32_t>(out.data() + 12, 1);
  for (std::size_t pos = 0; pos < in.size(); pos += kXerialBlock) {
    auto block = snappy_raw(in.subspan(pos, std::min(kXerialBlock, in.size() - pos)));
    if (!block) return block.error();
    const std::size_t at = out.size();
    out.resize(at + 4 + block.value().size());
    store_be<std::uint32_t>(out.data() + at, static_cast<std::uint32_t>(block.value().size()));
    std::memcpy(out.data() + at + 4, block.value().data(), block.value().size());
  }
  return out;
}

result<std::vector<std::byte>> lz4(std::span<const std::byte> in) {
  std::vector<std::byte> out(LZ4F_compressFrameBound(in.size(), nullptr));
  const std::size_t n = LZ4F_compressFrame(out.data(), out.size(), in.data(), in.size(), nullptr);
  if (LZ4F_isError(n)) return corrupt();
  out.resize(n);
  return out;
}

result<std::vector<std::byte>> zstd(std::span<const std::byte> in) {
  std::vector<std::byte> out(ZSTD_compressBound(in.size()));
  const std::size_t n = ZSTD_compress(out.data(), out.size(), in.data(), in.size(), 3);
  if (ZSTD_isError(n)) return corrupt();
  out.resize(n);
  return out;
}

}  // namespace

const std::error_category& compression_category() noexcept {
  static const compression_category_impl category;
  return category;
}

result<compression_codec> codec_from_attributes(std::int16_t attributes) noexcept {
  const int id = attributes & 0x07;
  if (id > 4) return make_error_code(compression_errc::unsupported_codec);
  return static_cast<compression_codec>(id);
}

const char* codec_name(compression_codec c) noexcept {
  switch (c) {
    case compression_codec::none: return "none";
    case compression_codec::gzip: return "gzip";
    case compression_codec::snappy: return "snappy";
    case compression_codec::lz4: return "lz4";
    case compression_codec::zstd: return "zstd";
  }
  return "unknown";
}

std::string codec_error_text(compression_codec c, const std::error_code& error) {
  return std::string(codec_name(c)) + ": " + error.message();
}

bool is_snappy_xerial(std::span<const std::byte> input) noexcept {
  return input.size() >= kXerialHeader && std::memcmp(input.data(), kXerialMagic, sizeof kXerialMagic) == 0;
}

result<std::vector<std::byte>> decompress(compression_codec codec, std::span<const std::byte> input,
                                          std::size_t max_output) {
  switch (codec) {
    case compression_codec::none:
      if (input.size() > max_output) return too_large();
      return std::vector<std::byte>(input.begin(), input.end());
    case compression_codec::gzip: return gunzip(input, max_output);
    case compression_codec::snappy: return unsnappy(input, max_output);
    case compression_codec::lz4: return unlz4(input, max_output);
    case compression_codec::zstd: return unzstd(input, max_output);
  }
  return make_error_code(compression_errc::unsupported_codec);
}

result<std::vector<std::byte>> compress(compression_codec codec, std::span<const std::byte> input,
                                        bool snappy_xerial_framing) {
  switch (codec) {
    case compression_codec::none: return std::vector<std::byte>(input.begin(), input.end());
    case compression_codec::gzip: return gzip(input);
    case compression_codec::snappy: return snappy_xerial_framing ? snappy_xerial(input) : snappy_raw(input);
    case compression_codec::lz4: return lz4(input);
    case compression_codec::zstd: return zstd(input);
  }
  return make_error_code(compression_errc::unsupported_codec);
}

}  // namespace sluice::protocol
