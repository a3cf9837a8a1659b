#pragma once
// The boundaries between other modules' errors and the partition RPC's
// error codes:
// - the append path's (protocol::append_errc, the one vocabulary the
//   validator and the partition log share): one exhaustive switch without
//   `default:`, so -Wswitch names any value added to append_errc that is not
//   mapped here;
// - the transaction coordinator's answer to a leader's verification
//   (KIP-890), a Kafka error code: map_verification_error (errors.cc).
#include <cstdint>
#include <string>

#include "common/protocol/record_batch_validator.h"
#include "partition.pb.h"

namespace sluice::partition_server {

constexpr sluice::partition::v1::PartitionError map_append_error(protocol::append_errc e) {
  namespace pv1 = sluice::partition::v1;
  using protocol::append_errc;
  switch (e) {
    case append_errc::ok: return pv1::PARTITION_OK;
    case append_errc::corrupt_message: return pv1::CORRUPT_MESSAGE;
    case append_errc::invalid_record: return pv1::INVALID_RECORD;
    case append_errc::message_too_large: return pv1::MESSAGE_TOO_LARGE;
    case append_errc::unsupported_compression: return pv1::UNSUPPORTED_COMPRESSION;
    case append_errc::invalid_timestamp: return pv1::INVALID_TIMESTAMP;
    case append_errc::storage_error: return pv1::STORAGE_ERROR;
    case append_errc::out_of_order_sequence: return pv1::OUT_OF_ORDER_SEQUENCE_NUMBER;
    case append_errc::invalid_producer_epoch: return pv1::INVALID_PRODUCER_EPOCH;
    case append_errc::invalid_txn_state: return pv1::INVALID_TXN_STATE;
    case append_errc::coordinator_fenced: return pv1::TRANSACTION_COORDINATOR_FENCED;
  }
  // Only a value cast from outside the enum gets here.
  return pv1::STORAGE_ERROR;
}

/// What a produce entry answers for the transaction coordinator's refusal.
struct verification_refusal {
  sluice::partition::v1::PartitionError error = sluice::partition::v1::PARTITION_OK;
  std::string message;
};

/// The coordinator's answer `code` (a Kafka error code, not 0) about one
/// partition, as the produce answers it for a request checked in `mode`
/// (Kafka's ReplicaManager and AddPartitionsToTxnManager). Unknown codes
/// are INVALID_TXN_STATE naming the code.
verification_refusal map_verification_error(std::int16_t code, sluice::partition::v1::TxnPartitionCheck mode);

}  // namespace sluice::partition_server
