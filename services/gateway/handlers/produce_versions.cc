#include "services/gateway/handlers/produce_versions.h"

#include "services/gateway/error_mapping.h"

namespace sluice::gateway {

namespace pv1 = partition::v1;

// Produce v11 is the first whose clients handle TRANSACTION_ABORTABLE; v12
// the first sent by a producer using transaction version 2.
constexpr std::int16_t first_abortable_version = 11;
constexpr std::int16_t first_adding_version = 12;

pv1::TxnPartitionCheck txn_check_for(std::int16_t produce_version) noexcept {
  if (produce_version >= first_adding_version) return pv1::TXN_CHECK_ADD;
  if (produce_version >= first_abortable_version) return pv1::TXN_CHECK_VERIFY_ABORTABLE;
  return pv1::TXN_CHECK_VERIFY;
}

void set_transaction_fields(pv1::ProduceRequest& header, const std::optional<std::string>& transactional_id,
                            std::int16_t produce_version) {
  header.set_transactional_id(transactional_id.value_or(""));
  header.set_txn_check(txn_check_for(produce_version));
}

protocol::error_code produce_error_for(pv1::PartitionError e, std::int16_t produce_version) noexcept {
  if (e == pv1::TRANSACTION_ABORTABLE && produce_version < first_abortable_version)
    return protocol::error_code::invalid_txn_state;
  return to_kafka(e);
}

}  // namespace sluice::gateway
