#include <algorithm>
#include <fstream>

#include <boost/test/unit_test.hpp>

#include "services/partition-server/log_dir.h"
#include "tests/fixtures/temp_dir.h"

using namespace sluice::partition_server;
namespace fs = std::filesystem;

namespace {
std::string raw_id(char fill) { return std::string(16, fill); }
}  // namespace

BOOST_AUTO_TEST_SUITE(log_dir)

BOOST_AUTO_TEST_CASE(path_is_topic_dash_partition) {
  BOOST_TEST(log_dir_path("/data", "orders-eu", 3) == fs::path("/data/orders-eu-3"));
  BOOST_TEST(topic_id_hex(std::string("\x00\x01\xab\xff", 4)) == "0001abff");
}

BOOST_AUTO_TEST_CASE(new_dir_gets_partition_metadata_with_hex_topic_id) {
  sluice::test::temp_dir data;
  auto dir = log_dir_path(data.path(), "t", 0);
  auto r = prepare_log_dir(dir, raw_id('\x11'));
  BOOST_REQUIRE(r);
  BOOST_TEST(!r.value());
  std::ifstream in(dir / "partition.metadata");
  std::string text((std::istreambuf_iterator<char>(in)), {});
  BOOST_TEST(text.find("topic_id: 11111111111111111111111111111111") != std::string::npos);
  BOOST_TEST(read_partition_metadata(dir).value() == raw_id('\x11'));
}

namespace {
/// Prepares `dir` for topic id `first`, puts a segment file in it, prepares
/// it again for `second`: whether that wiped the directory.
bool prepared_twice_wipes(const fs::path& dir, char first, char second) {
  BOOST_REQUIRE(prepare_log_dir(dir, raw_id(first)));
  std::ofstream(dir / "00000000000000000000.log") << "data";
  auto r = prepare_log_dir(dir, raw_id(second));
  BOOST_REQUIRE(r);
  return r.value();
}
}  // namespace

BOOST_AUTO_TEST_CASE(same_topic_id_keeps_the_data) {
  sluice::test::temp_dir data;
  auto dir = log_dir_path(data.path(), "t", 0);
  BOOST_TEST(!prepared_twice_wipes(dir, '\x22', '\x22'));
  BOOST_TEST(fs::exists(dir / "00000000000000000000.log"));
}

BOOST_AUTO_TEST_CASE(other_topic_id_wipes_the_old_incarnation) {
  sluice::test::temp_dir data;
  auto dir = log_dir_path(data.path(), "t", 0);
  BOOST_TEST(prepared_twice_wipes(dir, '\x22', '\x33'));
  BOOST_TEST(!fs::exists(dir / "00000000000000000000.log"));
  BOOST_TEST(read_partition_metadata(dir).value() == raw_id('\x33'));
}

BOOST_AUTO_TEST_CASE(dir_without_metadata_is_wiped) {
  sluice::test::temp_dir data;
  auto dir = log_dir_path(data.path(), "t", 1);
  fs::create_directories(dir);
  std::ofstream(dir / "junk.log") << "half created";
  auto r = prepare_log_dir(dir, raw_id('\x44'));
  BOOST_REQUIRE(r);
  BOOST_TEST(r.value());
  BOOST_TEST(!fs::exists(dir / "junk.log"));
}

BOOST_AUTO_TEST_CASE(scan_finds_replica_dirs_only) {
  sluice::test::temp_dir data;
  BOOST_REQUIRE(prepare_log_dir(log_dir_path(data.path(), "a-b", 12), raw_id('\x01')));
  BOOST_REQUIRE(prepare_log_dir(log_dir_path(data.path(), "c", 0), raw_id('\x02')));
  fs::create_directories(data.path() / "no-metadata-3");
  fs::create_directories(data.path() / "nodash");
  std::ofstream(data.path() / "identity") << "5\n";
  auto found = scan_log_dirs(data.path());
  BOOST_REQUIRE(found.size() == 2u);
  std::sort(found.begin(), found.end(), [](auto& x, auto& y) { return x.topic < y.topic; });
  BOOST_TEST(found[0].topic == "a-b");
  BOOST_TEST(found[0].partition == 12);
  BOOST_TEST(found[0].topic_id == raw_id('\x01'));
  BOOST_TEST(found[1].topic == "c");
  BOOST_TEST(found[1].partition == 0);
}

BOOST_AUTO_TEST_SUITE_END()
