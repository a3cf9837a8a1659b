#include <boost/test/unit_test.hpp>

#include "services/partition-server/storage/file_names.h"

using namespace sluice::storage;
using sluice::offset;

BOOST_AUTO_TEST_SUITE(file_names_suite)

BOOST_AUTO_TEST_CASE(names_are_twenty_digits_and_parse_back) {
  BOOST_TEST(segment_file("/d", offset{42}, ".log").string() == "/d/00000000000000000042.log");
  BOOST_TEST(segment_file("/d", offset{0}, ".timeindex").filename().string() == "00000000000000000000.timeindex");
  BOOST_TEST(parse_segment_file("00000000000000000042.log", ".log").value() == offset{42});
  BOOST_TEST(!parse_segment_file("00000000000000000042.index", ".log").has_value());
  BOOST_TEST(!parse_segment_file("0000000000000000042.log", ".log").has_value());
  BOOST_TEST(!parse_segment_file("0000000000000000004x.log", ".log").has_value());
  BOOST_TEST(!parse_segment_file("99999999999999999999.log", ".log").has_value());  // overflows int64
}

BOOST_AUTO_TEST_SUITE_END()
