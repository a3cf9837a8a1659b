#include <boost/test/unit_test.hpp>

#include "tools/sluice/cli_args.h"

using namespace sluice::tools;

BOOST_AUTO_TEST_CASE(key_value_splits_at_the_first_equals_sign) {
  auto kv = parse_key_value("retention.ms=1000");
  BOOST_REQUIRE(kv);
  BOOST_TEST(kv.value().first == "retention.ms");
  BOOST_TEST(kv.value().second == "1000");

  auto nested = parse_key_value("a=b=c");
  BOOST_REQUIRE(nested);
  BOOST_TEST(nested.value().first == "a");
  BOOST_TEST(nested.value().second == "b=c");

  auto empty_value = parse_key_value("k=");
  BOOST_REQUIRE(empty_value);
  BOOST_TEST(empty_value.value().second == "");
}

BOOST_AUTO_TEST_CASE(key_value_rejects_missing_equals_and_empty_key) {
  auto none = parse_key_value("retention.ms");
  BOOST_REQUIRE(!none);
  BOOST_TEST(none.error().find("key=value") != std::string::npos);
  BOOST_TEST(!parse_key_value("=v"));
  BOOST_TEST(!parse_key_value(""));
}

BOOST_AUTO_TEST_CASE(key_values_reports_the_first_bad_item) {
  auto ok = parse_key_values({"a=1", "b=2"});
  BOOST_REQUIRE(ok);
  BOOST_TEST(ok.value().size() == 2u);
  auto bad = parse_key_values({"a=1", "oops", "=x"});
  BOOST_REQUIRE(!bad);
  BOOST_TEST(bad.error().find("oops") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(acks_accepts_kafka_spellings) {
  BOOST_TEST(parse_acks("all").value() == "-1");
  BOOST_TEST(parse_acks("-1").value() == "-1");
  BOOST_TEST(parse_acks("0").value() == "0");
  BOOST_TEST(parse_acks("1").value() == "1");
  BOOST_TEST(!parse_acks("2"));
  BOOST_TEST(!parse_acks("ALL"));
  BOOST_TEST(!parse_acks(""));
}
