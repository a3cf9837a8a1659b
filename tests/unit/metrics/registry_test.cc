#define BOOST_TEST_MODULE metrics
#include <boost/test/unit_test.hpp>

#include "common/metrics/registry.h"

using namespace sluice::metrics;

BOOST_AUTO_TEST_CASE(same_name_returns_same_metric) {
  registry r;
  r.get_counter("requests_total", "Requests served").add(3);
  r.get_counter("requests_total").add(2);
  BOOST_TEST(r.get_counter("requests_total").value() == 5u);
}

BOOST_AUTO_TEST_CASE(histogram_quantiles_bound_the_recorded_values) {
  histogram h;
  for (int i = 0; i < 99; ++i) h.record(100);  // bucket (64, 128]
  h.record(5000);                              // bucket (4096, 8192]
  BOOST_TEST(h.count() == 100u);
  BOOST_TEST(h.quantile_bound(0.5) == 128u);
  BOOST_TEST(h.quantile_bound(0.99) == 128u);
  BOOST_TEST(h.quantile_bound(1.0) == 8192u);
}

BOOST_AUTO_TEST_CASE(text_format_lists_every_metric) {
  registry r;
  r.get_counter("bytes_in_total", "Bytes appended").add(42);
  r.get_gauge("connections").set(-1);
  r.get_histogram("produce_latency_us").record(3);
  const std::string text = r.render_text();
  BOOST_TEST(text.find("# TYPE bytes_in_total counter\nbytes_in_total 42\n") != std::string::npos);
  BOOST_TEST(text.find("connections -1\n") != std::string::npos);
  BOOST_TEST(text.find("produce_latency_us_bucket{le=\"4\"} 1\n") != std::string::npos);
  BOOST_TEST(text.find("produce_latency_us_count 1\n") != std::string::npos);
}
