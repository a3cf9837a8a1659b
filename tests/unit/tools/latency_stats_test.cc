#include <boost/test/unit_test.hpp>

#include "tools/sluice/latency_stats.h"

using namespace sluice::tools;

BOOST_AUTO_TEST_CASE(percentile_of_nothing_is_zero) { BOOST_TEST(percentile({}, 50) == 0.0); }

BOOST_AUTO_TEST_CASE(nearest_rank_on_one_to_hundred) {
  std::vector<double> v;
  for (int i = 1; i <= 100; ++i) v.push_back(i);
  BOOST_TEST(percentile(v, 50) == 50.0);
  BOOST_TEST(percentile(v, 99) == 99.0);
  BOOST_TEST(percentile(v, 99.9) == 100.0);
  BOOST_TEST(percentile(v, 100) == 100.0);
  BOOST_TEST(percentile(v, 0) == 1.0);
  BOOST_TEST(percentile(v, 0.5) == 1.0);
  BOOST_TEST(percentile(v, 1) == 1.0);
  BOOST_TEST(percentile(v, 1.01) == 2.0);
}

BOOST_AUTO_TEST_CASE(nearest_rank_on_few_samples) {
  std::vector<double> v = {10, 20, 30, 40};
  BOOST_TEST(percentile(v, 50) == 20.0);
  BOOST_TEST(percentile(v, 51) == 30.0);
  BOOST_TEST(percentile(v, 99) == 40.0);
  BOOST_TEST(percentile({7}, 99.9) == 7.0);
}

BOOST_AUTO_TEST_CASE(summary_sorts_and_reports_tail_and_mean) {
  std::vector<double> v;
  for (int i = 1000; i >= 1; --i) v.push_back(i);  // descending on purpose
  auto s = summarize(v);
  BOOST_TEST(s.count == 1000u);
  BOOST_TEST(s.p50 == 500.0);
  BOOST_TEST(s.p99 == 990.0);
  BOOST_TEST(s.p999 == 999.0);
  BOOST_TEST(s.max == 1000.0);
  BOOST_TEST(s.mean == 500.5);
  BOOST_TEST(v.front() == 1.0);  // sorted in place
}

BOOST_AUTO_TEST_CASE(rates_over_an_interval) {
  auto t = rate(1000, 2 * 1024 * 1024, 2.0);
  BOOST_TEST(t.records_per_sec == 500.0);
  BOOST_TEST(t.mib_per_sec == 1.0);
  auto zero = rate(1000, 1000, 0.0);
  BOOST_TEST(zero.records_per_sec == 0.0);
  BOOST_TEST(zero.mib_per_sec == 0.0);
}
