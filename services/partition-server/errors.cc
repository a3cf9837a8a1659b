#include "services/partition-server/errors.h"

#include "common/protocol/error_code.h"
#include "services/partition-server/logger.h"

namespace sluice::partition_server {

namespace pv1 = sluice::partition::v1;
using protocol::error_code;

verification_refusal map_verification_error(std::int16_t code, pv1::TxnPartitionCheck mode) {
  // `code` comes off the wire and may be any int16, so no switch over
  // error_code: the last line takes every code not named here.
  const auto e = static_cast<error_code>(code);
  const std::string name = protocol::to_string(e);
  if (e == error_code::invalid_txn_state) return {pv1::INVALID_TXN_STATE, "Partition was not added to the transaction"};
  // Kafka's producers expect INVALID_PRODUCER_EPOCH here, not PRODUCER_FENCED.
  if (e == error_code::producer_fenced)
    return {pv1::INVALID_PRODUCER_EPOCH, "producer fenced by its transaction coordinator"};
  // Clients before Produce v11 do not know TRANSACTION_ABORTABLE; they abort
  // on INVALID_TXN_STATE.
  if (e == error_code::transaction_abortable)
    return {mode == pv1::TXN_CHECK_VERIFY ? pv1::INVALID_TXN_STATE : pv1::TRANSACTION_ABORTABLE,
            "the transaction coordinator says abort"};
  // Retriable, but older clients do not retry these on a produce;
  // NOT_ENOUGH_REPLICAS is retried by every client and triggers no metadata
  // refresh (Kafka's choice).
  if (e == error_code::concurrent_transactions || e == error_code::network_exception ||
      e == error_code::coordinator_load_in_progress || e == error_code::coordinator_not_available ||
      e == error_code::not_coordinator)
    return {pv1::NOT_ENOUGH_REPLICAS,
            "Unable to verify the partition has been added to the transaction. Underlying error: " + name};
  if (e == error_code::invalid_producer_id_mapping)
    return {pv1::INVALID_PRODUCER_ID_MAPPING, "the transaction coordinator does not know the producer id"};
  log()->warn("transaction coordinator answered a verification with {} ({}): refused as INVALID_TXN_STATE", name, code);
  return {pv1::INVALID_TXN_STATE, "transaction verification failed: " + name + " (" + std::to_string(code) + ")"};
}

}  // namespace sluice::partition_server
