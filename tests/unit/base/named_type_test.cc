#define BOOST_TEST_MODULE base
#include <boost/test/unit_test.hpp>

#include <map>
#include <sstream>
#include <type_traits>
#include <unordered_set>

#include "common/base/types.h"

namespace sluice {
namespace {

BOOST_AUTO_TEST_CASE(types_do_not_mix) {
  // An offset is not an epoch, and neither is a raw number without saying so.
  static_assert(!std::is_convertible_v<offset, leader_epoch>);
  static_assert(!std::is_convertible_v<leader_epoch, partition_epoch>);
  static_assert(!std::is_convertible_v<node_id, std::int32_t>);
  static_assert(!std::is_convertible_v<std::int64_t, offset>);
  static_assert(std::is_constructible_v<offset, std::int64_t>);
  static_assert(sizeof(offset) == sizeof(std::int64_t));
  static_assert(std::is_trivially_copyable_v<shard_epoch>);
}

BOOST_AUTO_TEST_CASE(arithmetic_keeps_the_type) {
  offset o{41};
  ++o;
  BOOST_TEST(o() == 42);
  const offset end = o + 8;
  BOOST_TEST(end() == 50);
  BOOST_TEST((end - o) == 8);
  BOOST_TEST((end - 50)() == 0);
  leader_epoch e{3};
  BOOST_TEST((e++)() == 3);
  BOOST_TEST(e() == 4);
  static_assert(std::is_same_v<decltype(end - o), std::int64_t>);
  static_assert(std::is_same_v<decltype(o + 1), offset>);
}

BOOST_AUTO_TEST_CASE(compares_hashes_and_formats_as_the_value) {
  BOOST_TEST((node_id{1} < node_id{2}));
  BOOST_TEST((no_node == node_id{-1}));
  BOOST_TEST((offset{} == offset{0}));
  std::map<node_id, int> by_node{{node_id{2}, 1}, {node_id{1}, 2}};
  BOOST_TEST(by_node.begin()->first() == 1);
  std::unordered_set<shard_epoch> epochs{shard_epoch{7}, shard_epoch{7}};
  BOOST_TEST(epochs.size() == 1u);
  BOOST_TEST(fmt::format("[{}] {:>4}", node_id{3}, offset{12}) == "[3]   12");
}

BOOST_AUTO_TEST_CASE(streams_as_the_value) {
  std::ostringstream out;
  out << leader_epoch{5} << '/' << offset{-1};
  BOOST_TEST(out.str() == "5/-1");
}

}  // namespace
}  // namespace sluice
