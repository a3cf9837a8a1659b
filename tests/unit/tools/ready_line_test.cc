#include <boost/test/unit_test.hpp>

#include "tools/sluice/ready_line.h"

using namespace sluice::tools;

BOOST_AUTO_TEST_CASE(service_ready_lines_count) {
  BOOST_TEST(is_ready_line("[2024-01-01 10:00:00.000] [coordinator] [info] coordinator ready: rpc tcp://x"));
  BOOST_TEST(is_ready_line("ready"));
  BOOST_TEST(is_ready_line("gateway ready on 127.0.0.1:9092"));
  BOOST_TEST(is_ready_line("[info] ready"));
  BOOST_TEST(is_ready_line("partition-server 3 is ready"));
}

BOOST_AUTO_TEST_CASE(words_containing_ready_do_not_count) {
  BOOST_TEST(!is_ready_line("topic already exists"));
  BOOST_TEST(!is_ready_line("Already registered"));
  BOOST_TEST(!is_ready_line("starting"));
  BOOST_TEST(!is_ready_line(""));
  BOOST_TEST(is_ready_line("already registered; now ready"));
}
