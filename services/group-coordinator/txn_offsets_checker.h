#pragma once
// What a group shard asks the transaction coordinator before it writes a
// TxnOffsetCommit's offsets (KIP-890): whether the shard's
// __consumer_offsets partition is in the producer's ongoing transaction, or
// (TxnOffsetCommit v5, transaction version 2) to add it there. An interface
// so that the shard's logic stays free of RPC: the service answers through
// cluster::transaction_checker, unit tests by hand.
#include <cstdint>
#include <functional>

#include "common/cluster/transaction_checker.h"
#include "common/protocol/error_code.h"

namespace sluice::group_coordinator {

/// The transaction coordinator as TxnOffsetCommit sees it. Implemented by
/// group_service (cluster::transaction_checker, its answer brought back to
/// the service's actor) and by fakes in tests. `done` runs exactly once, on
/// the thread that owns the shards (never inside check() in the service;
/// a fake may).
class txn_offsets_checker {
 public:
  virtual ~txn_offsets_checker() = default;
  virtual void check(cluster::txn_check_request request, std::function<void(cluster::txn_check_result)> done) = 0;
};

/// The transaction coordinator's answer for our partition (a Kafka error
/// code, see cluster::txn_check_result) as a TxnOffsetCommit of `version`
/// answers it, as Kafka 4 does (AddPartitionsToTxnManager, then the group
/// coordinator's handleOperationException): PRODUCER_FENCED becomes
/// INVALID_PRODUCER_EPOCH; TRANSACTION_ABORTABLE stays for v4+ and is
/// INVALID_TXN_STATE before; a failed call (NETWORK_EXCEPTION) becomes
/// COORDINATOR_LOAD_IN_PROGRESS, which every client retries without looking
/// the coordinator up again; the rest (INVALID_TXN_STATE,
/// CONCURRENT_TRANSACTIONS, NOT_COORDINATOR, ...) as answered.
protocol::error_code txn_offset_check_error(std::int16_t code, std::int16_t version);

}  // namespace sluice::group_coordinator
