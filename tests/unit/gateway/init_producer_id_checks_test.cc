#include <boost/test/unit_test.hpp>

#include "services/gateway/handlers/init_producer_id_checks.h"

using namespace sluice;
using namespace sluice::gateway;
using protocol::error_code;

namespace {

protocol::init_producer_id_request request(std::optional<std::string> id, std::int32_t timeout_ms = 60000) {
  protocol::init_producer_id_request r;
  r.transactional_id = std::move(id);
  r.transaction_timeout_ms = timeout_ms;
  return r;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(init_producer_id_checks)

BOOST_AUTO_TEST_CASE(an_idempotent_producer_is_accepted_whatever_its_timeout) {
  BOOST_TEST(!init_producer_id_refusal(request(std::nullopt, 0)).has_value());
  BOOST_TEST(!init_producer_id_refusal(request(std::nullopt, -5)).has_value());
}

BOOST_AUTO_TEST_CASE(producer_id_and_epoch_come_together) {
  auto r = request(std::nullopt);
  r.producer_id = 42;
  BOOST_TEST((init_producer_id_refusal(r) == error_code::invalid_request));
  r.producer_epoch = 3;
  BOOST_TEST(!init_producer_id_refusal(r).has_value());
  r.producer_id = -1;
  BOOST_TEST((init_producer_id_refusal(r) == error_code::invalid_request));
}

BOOST_AUTO_TEST_CASE(transactional_ids_must_be_usable) {
  BOOST_TEST(!init_producer_id_refusal(request("txn")).has_value());
  BOOST_TEST((init_producer_id_refusal(request("")) == error_code::invalid_request));
  BOOST_TEST((init_producer_id_refusal(request(std::string(40000, 't'))) == error_code::invalid_request));
  BOOST_TEST(!init_producer_id_refusal(request(std::string(max_kafka_string, 't'))).has_value());
  BOOST_TEST((init_producer_id_refusal(request("txn", 0)) == error_code::invalid_transaction_timeout));
  BOOST_TEST((init_producer_id_refusal(request("txn", -1)) == error_code::invalid_transaction_timeout));
}

BOOST_AUTO_TEST_SUITE_END()
