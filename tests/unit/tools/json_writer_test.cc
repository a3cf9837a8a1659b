#define BOOST_TEST_MODULE tools_core
#include <boost/test/unit_test.hpp>

#include "tools/sluice/json_writer.h"

using namespace sluice::tools;

BOOST_AUTO_TEST_CASE(quotes_plain_text) { BOOST_TEST(json_quote("abc") == "\"abc\""); }

BOOST_AUTO_TEST_CASE(escapes_quotes_backslashes_and_control_characters) {
  BOOST_TEST(json_quote("a\"b\\c") == R"("a\"b\\c")");
  BOOST_TEST(json_quote("l1\nl2\tx\r") == R"("l1\nl2\tx\r")");
  BOOST_TEST(json_quote(std::string("\x01\x1f", 2)) == R"("\u0001\u001f")");
  BOOST_TEST(json_quote(std::string("a\0b", 3)) == R"("a\u0000b")");
}

BOOST_AUTO_TEST_CASE(passes_utf8_through) { BOOST_TEST(json_quote("h\xc3\xa9") == "\"h\xc3\xa9\""); }

BOOST_AUTO_TEST_CASE(command_line_array) {
  BOOST_TEST(json_string_array({"/bin/sluice-gateway", "--port", "9092", "a b\"c"}) ==
             R"(["/bin/sluice-gateway","--port","9092","a b\"c"])");
  BOOST_TEST(json_string_array({}) == "[]");
}

BOOST_AUTO_TEST_CASE(nested_containers_get_commas_in_the_right_places) {
  json_writer w;
  w.begin_object()
      .key("name").value("t")
      .key("partitions").begin_array()
      .begin_object().key("id").value(0).key("isr").begin_array().value(1).value(2).end_array().end_object()
      .begin_object().key("id").value(1).key("isr").begin_array().end_array().end_object()
      .end_array()
      .key("ok").value(true)
      .key("none").null()
      .end_object();
  BOOST_TEST(w.str() ==
             R"({"name":"t","partitions":[{"id":0,"isr":[1,2]},{"id":1,"isr":[]}],"ok":true,"none":null})");
}

BOOST_AUTO_TEST_CASE(doubles_have_at_most_three_decimals_and_no_nan) {
  json_writer w;
  w.begin_array().value(1.5).value(2.0).value(0.1234567).value(1e9).value(0.0 / 0.0).end_array();
  BOOST_TEST(w.str() == "[1.5,2,0.123,1000000000,null]");
}

BOOST_AUTO_TEST_CASE(string_literal_is_not_taken_for_a_bool) {
  json_writer w;
  w.begin_array().value("yes").end_array();
  BOOST_TEST(w.str() == R"(["yes"])");
}
