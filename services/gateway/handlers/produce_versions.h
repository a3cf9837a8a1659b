#pragma once
// What the Produce version means for a transactional produce (KIP-890): how
// the partition leader checks a batch that opens a transaction in a
// partition, and which of its errors a client of that version knows. Pure,
// so it is unit-tested.
#include <cstdint>
#include <optional>
#include <string>

#include "common/protocol/error_code.h"
#include "partition.pb.h"

namespace sluice::gateway {

/// v3-10 verify only (a coordinator's TRANSACTION_ABORTABLE is INVALID_TXN_STATE
/// to them); v11 verify only, TRANSACTION_ABORTABLE passes through; v12+
/// (transaction version 2) the leader adds the partition to the transaction.
partition::v1::TxnPartitionCheck txn_check_for(std::int16_t produce_version) noexcept;

/// Sets the partition servers' request's transactional_id (empty for none)
/// and txn_check from the Kafka request's transactional_id and version.
void set_transaction_fields(partition::v1::ProduceRequest& header, const std::optional<std::string>& transactional_id,
                            std::int16_t produce_version);

/// The Kafka error a Produce client of `produce_version` gets for a partition
/// server's error: to_kafka's, except that TRANSACTION_ABORTABLE, which
/// clients before v11 cannot read, is INVALID_TXN_STATE to them (what Kafka's
/// leaders answer such clients).
protocol::error_code produce_error_for(partition::v1::PartitionError e, std::int16_t produce_version) noexcept;

}  // namespace sluice::gateway
