#include <boost/test/unit_test.hpp>

#include "tools/sluice/console_format.h"

using namespace sluice::tools;

BOOST_AUTO_TEST_CASE(line_without_separator_option_is_all_value) {
  auto r = split_record_line("a:b", "");
  BOOST_REQUIRE(r);
  BOOST_TEST(!r.value().key.has_value());
  BOOST_TEST(r.value().value == "a:b");
}

BOOST_AUTO_TEST_CASE(line_splits_at_the_first_separator) {
  auto r = split_record_line("k1:v:1", ":");
  BOOST_REQUIRE(r);
  BOOST_TEST(*r.value().key == "k1");
  BOOST_TEST(r.value().value == "v:1");

  auto multi = split_record_line("key::=value", "::=");
  BOOST_REQUIRE(multi);
  BOOST_TEST(*multi.value().key == "key");
  BOOST_TEST(multi.value().value == "value");

  auto empty_key = split_record_line(":v", ":");
  BOOST_REQUIRE(empty_key);
  BOOST_TEST(*empty_key.value().key == "");
}

BOOST_AUTO_TEST_CASE(line_missing_the_separator_is_an_error) {
  auto r = split_record_line("no separator here", "|");
  BOOST_REQUIRE(!r);
  BOOST_TEST(r.error().find("'|'") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(headers_print_like_kafkas_console_consumer) {
  BOOST_TEST(format_headers({}) == "NO_HEADERS");
  BOOST_TEST(format_headers({{"a", "1"}, {"b", std::nullopt}}) == "a:1,b:null");
}

BOOST_AUTO_TEST_CASE(record_fields_appear_in_order_only_when_asked) {
  consumed_record r;
  r.partition = 2;
  r.offset = 41;
  r.headers = {{"h", "x"}};
  r.key = "k";
  r.value = "v";
  BOOST_TEST(format_record(r, {}) == "v");
  print_options all{true, true, true, true, "\t"};
  BOOST_TEST(format_record(r, all) == "Partition:2\tOffset:41\th:x\tk\tv");
  print_options key_only;
  key_only.key = true;
  key_only.separator = "|";
  BOOST_TEST(format_record(r, key_only) == "k|v");
}

BOOST_AUTO_TEST_CASE(null_key_and_value_print_as_null) {
  consumed_record r;
  print_options key_only;
  key_only.key = true;
  BOOST_TEST(format_record(r, key_only) == "null\tnull");
}
