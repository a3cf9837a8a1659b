#include <boost/test/unit_test.hpp>

#include "services/gateway/handlers/produce_versions.h"

using namespace sluice;
using namespace sluice::gateway;
namespace pv1 = sluice::partition::v1;
using protocol::error_code;

namespace {

// As int16s, so a failure prints the codes.
std::int16_t code(error_code e) { return static_cast<std::int16_t>(e); }
std::int16_t kafka(pv1::PartitionError e, std::int16_t version) { return code(produce_error_for(e, version)); }

}  // namespace

BOOST_AUTO_TEST_SUITE(produce_versions)

BOOST_AUTO_TEST_CASE(the_check_mode_follows_the_produce_version) {
  for (std::int16_t v = 3; v <= 10; ++v) BOOST_TEST(txn_check_for(v) == pv1::TXN_CHECK_VERIFY);
  BOOST_TEST(txn_check_for(11) == pv1::TXN_CHECK_VERIFY_ABORTABLE);
  BOOST_TEST(txn_check_for(12) == pv1::TXN_CHECK_ADD);
}

BOOST_AUTO_TEST_CASE(the_leaders_get_the_transactional_id_and_the_check_mode) {
  pv1::ProduceRequest header;
  set_transaction_fields(header, std::string("payments-tx"), 12);
  BOOST_TEST(header.transactional_id() == "payments-tx");
  BOOST_TEST(header.txn_check() == pv1::TXN_CHECK_ADD);

  set_transaction_fields(header, std::string("payments-tx"), 11);
  BOOST_TEST(header.txn_check() == pv1::TXN_CHECK_VERIFY_ABORTABLE);

  pv1::ProduceRequest plain;
  set_transaction_fields(plain, std::nullopt, 9);  // not transactional: no id
  BOOST_TEST(plain.transactional_id().empty());
  BOOST_TEST(plain.txn_check() == pv1::TXN_CHECK_VERIFY);
}

BOOST_AUTO_TEST_CASE(transaction_abortable_reaches_only_clients_that_know_it) {
  BOOST_TEST(kafka(pv1::TRANSACTION_ABORTABLE, 12) == code(error_code::transaction_abortable));
  BOOST_TEST(kafka(pv1::TRANSACTION_ABORTABLE, 11) == code(error_code::transaction_abortable));
  BOOST_TEST(kafka(pv1::TRANSACTION_ABORTABLE, 10) == code(error_code::invalid_txn_state));
  BOOST_TEST(kafka(pv1::TRANSACTION_ABORTABLE, 3) == code(error_code::invalid_txn_state));
  // Every other error maps as to_kafka does, whatever the version.
  BOOST_TEST(kafka(pv1::INVALID_TXN_STATE, 9) == code(error_code::invalid_txn_state));
  BOOST_TEST(kafka(pv1::NOT_ENOUGH_REPLICAS, 12) == code(error_code::not_enough_replicas));
  BOOST_TEST(kafka(pv1::INVALID_PRODUCER_ID_MAPPING, 10) == code(error_code::invalid_producer_id_mapping));
  BOOST_TEST(kafka(pv1::PARTITION_OK, 12) == code(error_code::none));
}

BOOST_AUTO_TEST_SUITE_END()
