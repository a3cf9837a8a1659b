#include <boost/test/unit_test.hpp>

#include "common/protocol/error_code.h"
#include "common/protocol/messages/fetch.h"
#include "services/gateway/handlers/fetch_result.h"

using namespace sluice;
using namespace sluice::gateway;
namespace pv1 = partition::v1;

namespace {

pv1::PartitionFetchResult ok_result() {
  pv1::PartitionFetchResult r;
  r.set_error(pv1::PARTITION_OK);
  r.set_high_watermark(120);
  r.set_last_stable_offset(100);
  r.set_log_start_offset(7);
  auto* a = r.add_aborted_transactions();
  a->set_producer_id(4000);
  a->set_first_offset(42);
  return r;
}

// The bytes of one partition's answer in a whole v4 response, to see what
// a client reads (nullable arrays are int32 counts before v12: -1 for null).
std::vector<std::byte> encode_v(const protocol::fetch_response::partition_data& p, std::int16_t version) {
  protocol::fetch_response response;
  response.responses.emplace_back().partitions.push_back(p);
  protocol::writer out;
  response.encode(out, version);
  return out.take();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(fetch_result)

BOOST_AUTO_TEST_CASE(read_committed_carries_the_lso_and_the_aborted_transactions) {
  protocol::fetch_response::partition_data out;
  apply_fetch_result(ok_result(), 1, out);
  BOOST_TEST(out.error_code == 0);
  BOOST_TEST(out.high_watermark == 120);
  BOOST_TEST(out.last_stable_offset == 100);
  BOOST_TEST(out.log_start_offset == 7);
  BOOST_REQUIRE(out.aborted_transactions.has_value());
  BOOST_REQUIRE(out.aborted_transactions->size() == 1u);
  BOOST_TEST((*out.aborted_transactions)[0].producer_id == 4000);
  BOOST_TEST((*out.aborted_transactions)[0].first_offset == 42);
}

BOOST_AUTO_TEST_CASE(read_committed_without_aborted_transactions_is_an_empty_list_not_null) {
  auto r = ok_result();
  r.clear_aborted_transactions();
  protocol::fetch_response::partition_data out;
  apply_fetch_result(r, 1, out);
  BOOST_REQUIRE(out.aborted_transactions.has_value());
  BOOST_TEST(out.aborted_transactions->empty());

  // And a client decodes what it gets back the same way.
  auto bytes = encode_v(out, 4);
  protocol::reader in(bytes);
  protocol::fetch_response back;
  back.decode(in, 4);
  BOOST_TEST(back.responses[0].partitions[0].aborted_transactions.has_value());
}

BOOST_AUTO_TEST_CASE(read_uncommitted_answers_a_null_list_but_still_the_lso) {
  protocol::fetch_response::partition_data out;
  apply_fetch_result(ok_result(), 0, out);
  BOOST_TEST(!out.aborted_transactions.has_value());
  BOOST_TEST(out.last_stable_offset == 100);  // Kafka sends the LSO at every isolation level
  for (std::int16_t v : {4, 11, 12}) {
    auto bytes = encode_v(out, v);
    protocol::reader in(bytes);
    protocol::fetch_response back;
    back.decode(in, v);
    BOOST_TEST(!back.responses[0].partitions[0].aborted_transactions.has_value(), "version " << v);
  }
}

BOOST_AUTO_TEST_CASE(an_error_has_no_lso_and_no_aborted_list) {
  auto r = ok_result();
  r.set_error(pv1::OFFSET_OUT_OF_RANGE);
  protocol::fetch_response::partition_data out;
  out.last_stable_offset = 55;  // whatever was there before
  apply_fetch_result(r, 1, out);
  BOOST_TEST(out.error_code == static_cast<std::int16_t>(protocol::error_code::offset_out_of_range));
  BOOST_TEST(out.last_stable_offset == -1);
  BOOST_TEST(!out.aborted_transactions.has_value());
}

BOOST_AUTO_TEST_SUITE_END()
