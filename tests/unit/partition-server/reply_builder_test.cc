#include <boost/test/unit_test.hpp>

#include <cstring>

#include "common/messaging/methods.h"
#include "partition.pb.h"
#include "services/partition-server/reply_builder.h"

using sluice::partition_server::reply_builder;
namespace pv1 = sluice::partition::v1;

namespace {

pv1::FetchResponse header_for(int partitions) {
  pv1::FetchResponse h;
  for (int i = 0; i < partitions; ++i) {
    auto* r = h.add_partitions();
    r->set_topic("a-topic-name");
    r->set_partition(i);
    r->set_high_watermark(-1);
    r->set_records_size(5);
  }
  return h;
}

/// Fills `n` payload bytes with 0, 1, 2, ... in two pieces, like two partition reads.
void fill(reply_builder& b, std::size_t n) {
  auto first = b.extend(n / 2);
  for (std::size_t i = 0; i < first.size(); ++i) first[i] = std::byte(i);
  auto rest = b.extend(n - n / 2 + 3);
  for (std::size_t i = 0; i < rest.size(); ++i) rest[i] = std::byte(n / 2 + i);
  b.shrink(3);  // a short read gives back what it did not fill
}

void check(const sluice::messaging::message& m, const pv1::FetchResponse& expected, std::size_t n) {
  BOOST_REQUIRE(m.well_formed());
  BOOST_TEST(m.method() == sluice::messaging::method::fetch);
  BOOST_TEST((m.status() == sluice::messaging::rpc_status::ok));
  pv1::FetchResponse parsed;
  BOOST_REQUIRE(m.parse_header(parsed));
  BOOST_TEST(parsed.SerializeAsString() == expected.SerializeAsString());
  auto payload = m.payload();
  BOOST_REQUIRE(payload.size() == n);
  for (std::size_t i = 0; i < n; ++i) BOOST_REQUIRE(payload[i] == std::byte(i));
}

}  // namespace

BOOST_AUTO_TEST_SUITE(reply_builder_tests)

BOOST_AUTO_TEST_CASE(header_goes_in_front_of_a_payload_written_first) {
  auto h = header_for(6);
  reply_builder b(h.ByteSizeLong() + 40, 1000);
  fill(b, 200);
  BOOST_TEST(b.payload_size() == 200u);
  check(b.finish(sluice::messaging::method::fetch, h), h, 200);
}

BOOST_AUTO_TEST_CASE(header_larger_than_the_room_still_makes_a_correct_message) {
  auto h = header_for(50);
  reply_builder b(4, 0);
  fill(b, 100);
  check(b.finish(sluice::messaging::method::fetch, h), h, 100);
}

BOOST_AUTO_TEST_CASE(empty_payload) {
  pv1::FetchResponse h;
  reply_builder b(16, 0);
  auto m = b.finish(sluice::messaging::method::fetch, h);
  BOOST_REQUIRE(m.well_formed());
  BOOST_TEST(m.payload().size() == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
