#define BOOST_TEST_MODULE record_batch
#include <boost/test/unit_test.hpp>

#include <random>
#include <string_view>
#include <vector>

#include "common/protocol/crc32c.h"

using namespace sluice::protocol;

namespace {
std::span<const std::byte> bytes_of(std::string_view s) {
  return {reinterpret_cast<const std::byte*>(s.data()), s.size()};
}
std::vector<std::byte> filled(std::size_t n, unsigned char v) { return std::vector<std::byte>(n, std::byte{v}); }

// (input, expected) pairs from RFC 3720 B.4 and the usual check value.
struct vector_case {
  std::vector<std::byte> input;
  std::uint32_t crc;
};
std::vector<vector_case> known_vectors() {
  std::vector<std::byte> ascending(32);
  std::vector<std::byte> descending(32);
  for (int i = 0; i < 32; ++i) {
    ascending[i] = std::byte(i);
    descending[i] = std::byte(31 - i);
  }
  auto check = bytes_of("123456789");
  return {
      {std::vector<std::byte>(check.begin(), check.end()), 0xE3069283u},
      {filled(32, 0x00), 0x8A9136AAu},
      {filled(32, 0xFF), 0x62A8AB43u},
      {ascending, 0x46DD794Eu},
      {descending, 0x113FDB5Cu},
      {{}, 0u},
  };
}
}  // namespace

BOOST_AUTO_TEST_SUITE(crc32c_suite)

BOOST_AUTO_TEST_CASE(portable_matches_known_vectors) {
  for (const auto& v : known_vectors()) BOOST_TEST(detail::crc32c_portable(v.input, 0) == v.crc);
}

BOOST_AUTO_TEST_CASE(hardware_matches_known_vectors) {
  if (!detail::crc32c_hardware_available()) {
    BOOST_TEST_MESSAGE("no SSE4.2 on this CPU; hardware path not exercised");
    return;
  }
  for (const auto& v : known_vectors()) BOOST_TEST(detail::crc32c_hardware(v.input, 0) == v.crc);
}

BOOST_AUTO_TEST_CASE(dispatcher_matches_known_vectors) {
  for (const auto& v : known_vectors()) BOOST_TEST(crc32c(v.input) == v.crc);
}

BOOST_AUTO_TEST_CASE(both_paths_agree_on_every_length_and_alignment) {
  std::mt19937 rng(7);
  std::vector<std::byte> data(4096 + 16);
  for (auto& b : data) b = std::byte(rng());
  for (std::size_t offset = 0; offset < 8; ++offset) {
    for (std::size_t len : {0u, 1u, 7u, 8u, 9u, 15u, 63u, 64u, 65u, 1000u, 4096u}) {
      std::span<const std::byte> s(data.data() + offset, len);
      const auto portable = detail::crc32c_portable(s, 0);
      BOOST_TEST(crc32c(s) == portable);
      if (detail::crc32c_hardware_available()) BOOST_TEST(detail::crc32c_hardware(s, 0) == portable);
    }
  }
}

BOOST_AUTO_TEST_CASE(seed_chains_pieces) {
  auto whole = bytes_of("123456789");
  const auto first = crc32c(whole.first(4));
  BOOST_TEST(crc32c(whole.subspan(4), first) == 0xE3069283u);
  BOOST_TEST(detail::crc32c_portable(whole.subspan(4), detail::crc32c_portable(whole.first(4), 0)) == 0xE3069283u);
}

BOOST_AUTO_TEST_SUITE_END()
