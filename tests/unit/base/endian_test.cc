#include <boost/test/unit_test.hpp>

#include <array>
#include <cstddef>
#include <cstdint>

#include "common/base/endian.h"

namespace sluice {
namespace {

BOOST_AUTO_TEST_CASE(stores_most_significant_byte_first) {
  std::array<std::byte, 8> b{};
  store_be<std::uint32_t>(b.data(), 0x01020304u);
  BOOST_TEST(std::to_integer<int>(b[0]) == 1);
  BOOST_TEST(std::to_integer<int>(b[3]) == 4);
  BOOST_TEST(load_be<std::uint32_t>(b.data()) == 0x01020304u);
}

BOOST_AUTO_TEST_CASE(signed_values_round_trip) {
  std::array<std::byte, 8> b{};
  store_be<std::int64_t>(b.data(), -2);
  BOOST_TEST(std::to_integer<int>(b[0]) == 0xff);
  BOOST_TEST(std::to_integer<int>(b[7]) == 0xfe);
  BOOST_TEST(load_be<std::int64_t>(b.data()) == -2);
  store_be<std::int16_t>(b.data(), -32768);
  BOOST_TEST(load_be<std::int16_t>(b.data()) == -32768);
}

BOOST_AUTO_TEST_CASE(strings_hold_the_same_bytes) {
  const std::string s = be_string<std::int32_t>(0x7f000001);
  BOOST_TEST(s == std::string("\x7f\x00\x00\x01", 4));
  BOOST_TEST(load_be<std::int32_t>(s.data()) == 0x7f000001);
}

}  // namespace
}  // namespace sluice
