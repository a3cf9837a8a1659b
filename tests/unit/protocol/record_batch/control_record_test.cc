// Transaction markers: the control batch a leader writes and what readers
// get back from its record.
#include <boost/test/unit_test.hpp>

#include "common/base/endian.h"
#include "common/protocol/control_record.h"
#include "common/protocol/record_batch.h"

using namespace sluice;
using namespace sluice::protocol;

namespace {

/// A control batch whose one record has `key` and `value` as given.
std::vector<std::byte> control_batch(std::optional<std::string> key, std::optional<std::string> value) {
  const record_to_build r{.key = std::move(key), .value = std::move(value), .headers = {}, .timestamp = 1};
  return build_batch(std::span(&r, 1), {.transactional = true, .control = true, .producer_id = 1, .producer_epoch = 0});
}

std::string be16(std::int16_t a, std::int16_t b) { return be_string(a) + be_string(b); }

}  // namespace

BOOST_AUTO_TEST_SUITE(control_record)

BOOST_AUTO_TEST_CASE(a_marker_batch_has_kafkas_header_and_record) {
  const auto b = build_txn_marker_batch({control_type::commit, 17}, 4242, 3, 123456);
  BOOST_REQUIRE(batch_is_intact(b));
  const batch_header h(b);
  BOOST_TEST(h.is_control());
  BOOST_TEST(h.is_transactional());
  BOOST_TEST(h.producer_id() == 4242);
  BOOST_TEST(h.producer_epoch() == 3);
  BOOST_TEST(h.base_sequence() == -1);
  BOOST_TEST(h.records_count() == 1);
  BOOST_TEST(h.max_timestamp() == 123456);
  BOOST_TEST(h.partition_leader_epoch() == -1);
  std::vector<std::byte> scratch;
  std::span<const std::byte> records;
  BOOST_REQUIRE(batch_records(b, scratch, records, max_uncompressed_batch_bytes).empty());
  record_reader reader(records);
  record_view r;
  BOOST_REQUIRE(reader.next(r) == nullptr);
  BOOST_REQUIRE(r.key.has_value());
  BOOST_REQUIRE(r.value.has_value());
  const std::string key(reinterpret_cast<const char*>(r.key->data()), r.key->size());
  const std::string value(reinterpret_cast<const char*>(r.value->data()), r.value->size());
  BOOST_TEST(key == be16(0, 1));                                   // version 0, COMMIT
  BOOST_TEST(value == be_string(std::int16_t{0}) + be_string(std::int32_t{17}));  // version 0, coordinator epoch

  auto read = read_txn_marker(b);
  BOOST_TEST(read.error.empty());
  BOOST_TEST((read.marker == txn_marker{control_type::commit, 17}));
  auto abort = read_txn_marker(build_txn_marker_batch({control_type::abort, 0}, 1, 0, 0));
  BOOST_TEST((abort.marker == txn_marker{control_type::abort, 0}));
}

BOOST_AUTO_TEST_CASE(newer_versions_and_longer_fields_are_read_as_version_zero) {
  auto read = read_txn_marker(control_batch(be16(3, 0) + "xx", be_string(std::int16_t{2}) + be_string(std::int32_t{9}) + "y"));
  BOOST_TEST(read.error.empty());
  BOOST_TEST((read.marker == txn_marker{control_type::abort, 9}));
}

BOOST_AUTO_TEST_CASE(records_that_are_no_transaction_marker_say_why) {
  const std::string good_value = be_string(std::int16_t{0}) + be_string(std::int32_t{1});
  BOOST_TEST(read_txn_marker(control_batch(be16(0, 2), good_value)).error ==
             "control record type 2 is no transaction marker");
  BOOST_TEST(read_txn_marker(control_batch(std::string("\0\0", 2), good_value)).error ==
             "control record key shorter than 4 bytes");
  BOOST_TEST(read_txn_marker(control_batch(std::nullopt, good_value)).error == "control record key shorter than 4 bytes");
  BOOST_TEST(read_txn_marker(control_batch(be16(-1, 0), good_value)).error == "control record key version -1");
  BOOST_TEST(read_txn_marker(control_batch(be16(0, 1), std::string(5, '\0'))).error ==
             "transaction marker value shorter than 6 bytes");
  BOOST_TEST(read_txn_marker(control_batch(be16(0, 1), be_string(std::int16_t{-2}) + be_string(std::int32_t{1}))).error ==
             "transaction marker version -2");
  for (const auto& bad : {be16(0, 2), be16(-1, 0)})
    BOOST_TEST(!read_txn_marker(control_batch(bad, good_value)).marker.has_value());
}

BOOST_AUTO_TEST_CASE(an_emptied_control_batch_is_neither_marker_nor_error) {
  const auto b = build_batch({}, {.transactional = true, .control = true, .producer_id = 1, .producer_epoch = 0});
  auto read = read_txn_marker(b);
  BOOST_TEST(!read.marker.has_value());
  BOOST_TEST(read.error.empty());
}

BOOST_AUTO_TEST_SUITE_END()
