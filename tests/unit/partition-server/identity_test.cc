#include <fstream>

#include <boost/test/unit_test.hpp>

#include "services/partition-server/identity.h"
#include "tests/fixtures/temp_dir.h"

using namespace sluice::partition_server;

BOOST_AUTO_TEST_SUITE(identity)

BOOST_AUTO_TEST_CASE(missing_file_means_first_start) {
  sluice::test::temp_dir dir;
  auto id = read_identity(dir.path());
  BOOST_REQUIRE(id);
  BOOST_TEST(!id.value().has_value());
}

BOOST_AUTO_TEST_CASE(written_id_reads_back_and_can_be_replaced) {
  sluice::test::temp_dir dir;
  auto nested = dir.path() / "not" / "yet" / "there";
  BOOST_REQUIRE(write_identity(nested, 7));
  auto id = read_identity(nested);
  BOOST_REQUIRE(id);
  BOOST_REQUIRE(id.value().has_value());
  BOOST_TEST(*id.value() == 7);
  BOOST_REQUIRE(write_identity(nested, 12));
  BOOST_TEST(*read_identity(nested).value() == 12);
  BOOST_TEST(!std::filesystem::exists(nested / "identity.tmp"));
}

BOOST_AUTO_TEST_CASE(malformed_file_is_an_error_not_a_guess) {
  sluice::test::temp_dir dir;
  for (const char* text : {"", "abc\n", "12x\n", "-3\n", "99999999999999\n"}) {
    std::ofstream(dir.path() / "identity", std::ios::trunc) << text;
    BOOST_TEST(!read_identity(dir.path()), "accepted identity file '" << text << "'");
  }
}

BOOST_AUTO_TEST_SUITE_END()
