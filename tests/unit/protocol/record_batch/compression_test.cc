#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

#include "common/protocol/compression.h"

using namespace sluice::protocol;

namespace {
std::vector<std::byte> sample(std::size_t n) {
  std::vector<std::byte> out(n);
  for (std::size_t i = 0; i < n; ++i) out[i] = std::byte((i * 31 + i / 7) & 0xFF);
  return out;
}
}  // namespace

BOOST_AUTO_TEST_SUITE(compression_suite)

BOOST_AUTO_TEST_CASE(every_codec_round_trips) {
  const auto input = sample(100'000);  // several xerial blocks
  for (auto codec : {compression_codec::none, compression_codec::gzip, compression_codec::snappy,
                     compression_codec::lz4, compression_codec::zstd}) {
    for (bool xerial : {false, true}) {
      auto packed = compress(codec, input, xerial);
      BOOST_REQUIRE(packed.has_value());
      auto unpacked = decompress(codec, packed.value(), 1 << 20);
      BOOST_REQUIRE_MESSAGE(unpacked.has_value(), codec_name(codec));
      BOOST_TEST((unpacked.value() == input), codec_name(codec) << " xerial=" << xerial);
    }
  }
}

BOOST_AUTO_TEST_CASE(empty_input_round_trips) {
  for (auto codec : {compression_codec::gzip, compression_codec::snappy, compression_codec::lz4,
                     compression_codec::zstd}) {
    auto packed = compress(codec, {});
    BOOST_REQUIRE(packed.has_value());
    auto unpacked = decompress(codec, packed.value(), 1024);
    BOOST_REQUIRE_MESSAGE(unpacked.has_value(), codec_name(codec));
    BOOST_TEST(unpacked.value().empty());
  }
}

BOOST_AUTO_TEST_CASE(output_limit_is_enforced) {
  const std::vector<std::byte> zeros(1 << 20, std::byte{0});
  for (auto codec : {compression_codec::gzip, compression_codec::snappy, compression_codec::lz4,
                     compression_codec::zstd}) {
    auto packed = compress(codec, zeros);
    BOOST_REQUIRE(packed.has_value());
    auto unpacked = decompress(codec, packed.value(), 64 * 1024);
    BOOST_REQUIRE_MESSAGE(!unpacked.has_value(), codec_name(codec));
    BOOST_TEST((unpacked.error() == compression_errc::output_too_large), codec_name(codec));
  }
}

BOOST_AUTO_TEST_CASE(garbage_and_truncation_are_errors_not_crashes) {
  const auto input = sample(10'000);
  for (auto codec : {compression_codec::gzip, compression_codec::snappy, compression_codec::lz4,
                     compression_codec::zstd}) {
    for (bool xerial : {false, true}) {
      auto packed = compress(codec, input, xerial).value();
      auto cut = std::vector<std::byte>(packed.begin(), packed.begin() + packed.size() / 2);
      BOOST_TEST(!decompress(codec, cut, 1 << 20).has_value(), codec_name(codec) << " truncated");
    }
    std::vector<std::byte> garbage = sample(333);
    BOOST_TEST(!decompress(codec, garbage, 1 << 20).has_value(), codec_name(codec) << " garbage");
  }
}

BOOST_AUTO_TEST_CASE(codec_ids_above_four_are_unsupported) {
  BOOST_TEST((codec_from_attributes(0x0004).value() == compression_codec::zstd));
  BOOST_TEST((codec_from_attributes(0x0018 | 2).value() == compression_codec::snappy));
  for (std::int16_t id : {5, 6, 7}) BOOST_TEST(!codec_from_attributes(id).has_value());
}

BOOST_AUTO_TEST_SUITE_END()
