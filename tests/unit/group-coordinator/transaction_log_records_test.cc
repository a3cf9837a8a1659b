// __transaction_state records in Kafka's format: round trips, what an Empty
// id writes, reading v0, tombstones, and refusing what Kafka would refuse.
#include <boost/test/unit_test.hpp>

#include "common/protocol/data/transaction_log_key.h"
#include "common/protocol/data/transaction_log_value.h"
#include "common/protocol/versioned_data.h"
#include "services/group-coordinator/txn/transaction_log_records.h"

using namespace sluice::group_coordinator::txn;
namespace protocol = sluice::protocol;

namespace {

transaction_metadata ongoing() {
  transaction_metadata m;
  m.transactional_id = "payments-1";
  m.producer_id = 4001;
  m.previous_producer_id = 3000;
  m.producer_epoch = 12;
  m.timeout_ms = 60000;
  m.state = txn_state::ongoing;
  m.partitions = {{"orders", 2}, {"orders", 0}, {"__consumer_offsets", 17}};
  m.start_timestamp = 1700000000000;
  m.last_update_timestamp = 1700000000500;
  return m;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(transaction_log_records)

BOOST_AUTO_TEST_CASE(key_and_value_round_trip) {
  const auto m = ongoing();
  auto r = txn_record(m);
  BOOST_REQUIRE(r.value);
  auto id = decode_txn_key(r.key);
  BOOST_REQUIRE(id);
  BOOST_TEST(*id == "payments-1");
  auto back = decode_txn_value(*id, *r.value);
  BOOST_TEST((back == m));
  // Kafka's layout: the key is version 0 then the id; the value version 1.
  BOOST_TEST(protocol::version_of(r.key) == 0);
  BOOST_TEST(protocol::version_of(*r.value) == 1);
}

BOOST_AUTO_TEST_CASE(partitions_are_grouped_by_topic_and_empty_writes_null) {
  auto v = protocol::decode_versioned<protocol::transaction_log_value>(encode_txn_value(ongoing()),
                                                                       protocol::unknown_version::refuse)
               .message;
  BOOST_REQUIRE(v.transaction_partitions);
  BOOST_REQUIRE(v.transaction_partitions->size() == 2u);
  BOOST_TEST((*v.transaction_partitions)[0].topic == "__consumer_offsets");
  BOOST_TEST((*v.transaction_partitions)[1].topic == "orders");
  BOOST_TEST(((*v.transaction_partitions)[1].partition_ids == std::vector<std::int32_t>{0, 2}));
  BOOST_TEST(v.transaction_status == 1);

  auto e = ongoing();
  e.state = txn_state::empty;
  e.partitions.clear();
  v = protocol::decode_versioned<protocol::transaction_log_value>(encode_txn_value(e),
                                                                  protocol::unknown_version::refuse)
          .message;
  BOOST_TEST(!v.transaction_partitions);
}

BOOST_AUTO_TEST_CASE(version_zero_reads_without_the_tagged_producer_ids) {
  protocol::transaction_log_value v;
  v.producer_id = 9;
  v.previous_producer_id = 5;  // v0 cannot carry it
  v.producer_epoch = 2;
  v.transaction_timeout_ms = 1000;
  v.transaction_status = 4;
  v.transaction_partitions = std::vector<protocol::transaction_log_value::partitions_schema>{};
  v.transaction_last_update_timestamp_ms = 77;
  v.transaction_start_timestamp_ms = 70;
  auto m = decode_txn_value("t", protocol::encode_versioned(v, 0));
  BOOST_TEST(m.producer_id == 9);
  BOOST_TEST(m.previous_producer_id == -1);
  BOOST_TEST(m.producer_epoch == 2);
  BOOST_TEST((m.state == txn_state::complete_commit));
  BOOST_TEST(m.start_timestamp == 70);
  BOOST_TEST(m.last_update_timestamp == 77);
  BOOST_TEST(m.last_producer_epoch == -1);
}

BOOST_AUTO_TEST_CASE(a_tombstone_has_the_key_and_no_value) {
  auto t = txn_tombstone("gone");
  BOOST_TEST(!t.value);
  BOOST_TEST(*decode_txn_key(t.key) == "gone");
}

BOOST_AUTO_TEST_CASE(unknown_keys_are_skipped_and_bad_values_refused) {
  protocol::writer w;
  w.write_int16(1);
  w.write_int16(0);
  BOOST_TEST(!decode_txn_key(protocol::string_of(w.data())));

  protocol::transaction_log_value v;
  v.transaction_status = 9;
  BOOST_CHECK_THROW(decode_txn_value("t", protocol::encode_versioned(v, 1)), protocol::decode_error);
  protocol::writer w2;
  w2.write_int16(2);  // a value version Kafka does not define
  BOOST_CHECK_THROW(decode_txn_value("t", protocol::string_of(w2.data())), protocol::decode_error);
  BOOST_CHECK_THROW(decode_txn_value("t", std::string("\x00", 1)), protocol::decode_error);
}

BOOST_AUTO_TEST_CASE(tv2_records_round_trip_with_the_next_producer_id_and_client_version) {
  auto m = ongoing();
  m.state = txn_state::prepare_commit;
  m.previous_producer_id = 4001;
  m.next_producer_id = 5000;
  m.producer_epoch = 0x7fff;
  m.client_version = txn_version::tv2;
  auto r = txn_record(m);
  BOOST_TEST((decode_txn_value(m.transactional_id, *r.value) == m));
  // Kafka's bytes: version 1, then after the fixed fields three tagged
  // fields, PreviousProducerId (0), NextProducerId (1), ClientTransactionVersion (2).
  m.partitions = {{"t", 0}};
  m.start_timestamp = 10;
  m.last_update_timestamp = 11;
  m.producer_id = 5;
  m.previous_producer_id = 5;
  m.next_producer_id = 6;
  m.producer_epoch = 1;
  const auto bytes = encode_txn_value(m);
  protocol::writer w;
  w.write_int16(1);
  w.write_int64(5);
  w.write_int16(1);
  w.write_int32(60000);
  w.write_int8(2);  // PrepareCommit
  for (int b : {0x02, 0x02, int{'t'}, 0x02, 0, 0, 0, 0, 0x00}) w.write_int8(static_cast<std::int8_t>(b));
  w.write_int64(11);
  w.write_int64(10);
  for (int b : {0x03, 0x00, 0x08}) w.write_int8(static_cast<std::int8_t>(b));
  w.write_int64(5);
  for (int b : {0x01, 0x08}) w.write_int8(static_cast<std::int8_t>(b));
  w.write_int64(6);
  for (int b : {0x02, 0x02}) w.write_int8(static_cast<std::int8_t>(b));
  w.write_int16(2);
  BOOST_TEST(bytes == protocol::string_of(w.data()));
}

BOOST_AUTO_TEST_CASE(version_zero_reads_as_client_version_zero_and_an_unknown_version_is_refused) {
  protocol::transaction_log_value v;
  v.producer_id = 9;
  v.producer_epoch = 2;
  v.transaction_status = 1;
  v.transaction_partitions = std::vector<protocol::transaction_log_value::partitions_schema>{};
  v.client_transaction_version = 2;  // v0 cannot carry it
  BOOST_TEST((decode_txn_value("t", protocol::encode_versioned(v, 0)).client_version == txn_version::tv0));
  BOOST_TEST((decode_txn_value("t", protocol::encode_versioned(v, 1)).client_version == txn_version::tv2));
  v.client_transaction_version = 7;
  BOOST_CHECK_THROW(decode_txn_value("t", protocol::encode_versioned(v, 1)), protocol::decode_error);
}

BOOST_AUTO_TEST_SUITE_END()
