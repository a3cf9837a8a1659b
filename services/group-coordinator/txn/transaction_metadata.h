#pragma once
// A transactional id's state as a plain value, and Kafka's rules for every
// change of it (TransactionMetadata / TransactionCoordinator): each rule
// takes the durable state and the request and decides, without touching
// anything, whether the request is refused (and with which error), answered
// as it stands, or changes the state into `next`, which the caller writes to
// __transaction_state and installs once durable.
//
//   Empty / CompleteCommit / CompleteAbort --AddPartitions--> Ongoing
//   Ongoing --EndTxn commit--> PrepareCommit --markers written--> CompleteCommit
//   Ongoing --EndTxn abort / timeout / InitProducerId fence--> PrepareAbort --markers--> CompleteAbort
//   Empty / Complete* --InitProducerId--> Empty (epoch + 1, or a new producer id)
//   Empty / Complete* --idle past transactional.id.expiration.ms--> removed (tombstone)
//
// Kafka's PrepareEpochFence and Dead are only ever pending states there
// (never written by a coordinator, never installed): here a fence is
// decided straight into PrepareAbort with the bumped epoch, and an expiry
// into a tombstone. They stay in the enum because the record format
// numbers them.
//
// Transaction version 2 (an epoch bump per transaction, KIP-890 part 2) is
// not implemented: every rule is Kafka's for clients at versions 0 and 1.
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/protocol/error_code.h"

namespace sluice::group_coordinator::txn {

using protocol::error_code;

/// The transaction states, numbered as TransactionLogValue's status byte.
enum class txn_state : std::int8_t {
  empty = 0,
  ongoing = 1,
  prepare_commit = 2,
  prepare_abort = 3,
  complete_commit = 4,
  complete_abort = 5,
  dead = 6,
  prepare_epoch_fence = 7,
};

/// Kafka's names (DescribeTransactions, ListTransactions' filter).
std::string_view name_of(txn_state s);
std::optional<txn_state> state_named(std::string_view name);
/// The state of a status byte, nullopt for a number Kafka does not use.
std::optional<txn_state> state_of_id(std::int8_t id);

inline constexpr std::int64_t no_producer_id = -1;
inline constexpr std::int16_t no_producer_epoch = -1;
/// Kafka never hands out an epoch at or past this: the last one is kept so
/// that the coordinator can always fence (TransactionMetadata.isEpochExhausted).
inline constexpr std::int16_t max_handed_out_epoch = 0x7fff - 1;
/// transaction.max.timeout.ms.
inline constexpr std::int32_t default_max_timeout_ms = 900000;

using txn_partition = std::pair<std::string, std::int32_t>;

/// One transactional id's durable state (what its latest
/// TransactionLogValue says, plus the last epoch, which memory keeps for
/// retries). A plain value: copied, changed by the rules below, installed.
struct transaction_metadata {
  std::string transactional_id;
  std::int64_t producer_id = no_producer_id;
  std::int64_t previous_producer_id = no_producer_id;  // before the last rotation (KIP-360 retries)
  std::int64_t next_producer_id = no_producer_id;      // TV2 only; kept as read
  std::int16_t producer_epoch = no_producer_epoch;
  std::int16_t last_producer_epoch = no_producer_epoch;  // a retried InitProducerId gets the current epoch back
  std::int32_t timeout_ms = 0;
  txn_state state = txn_state::empty;
  std::set<txn_partition> partitions;
  std::int64_t start_timestamp = -1;  // wall ms the transaction began (first partition added)
  std::int64_t last_update_timestamp = -1;

  bool operator==(const transaction_metadata&) const = default;
};

/// A producer id and epoch as a client names itself (KIP-360).
struct producer_id_and_epoch {
  std::int64_t producer_id = no_producer_id;
  std::int16_t epoch = no_producer_epoch;
};

/// What a request does to an id: refused (`error`, no `next`), answered as
/// things stand (NONE, no `next`), or a new state to write (`next`).
struct txn_decision {
  error_code error = error_code::none;
  std::optional<transaction_metadata> next;
};

/// Kafka's validateTransactionTimeoutMs: 0 < timeout <= transaction.max.timeout.ms.
bool valid_timeout(std::int32_t timeout_ms, std::int32_t max_timeout_ms);

/// InitProducerId with a transactional id.
struct init_decision {
  error_code error = error_code::none;
  /// The rule needs a producer id it does not have (the id is new, or its
  /// epochs are exhausted): ask the pool and decide again with it.
  bool needs_producer_id = false;
  /// The state to write. When `fences` it is PrepareAbort with a bumped
  /// epoch (an open transaction aborted first): the client is answered
  /// CONCURRENT_TRANSACTIONS once it is durable, and retries.
  std::optional<transaction_metadata> next;
  bool fences = false;
};
/// `current`: the id's state, nullptr when it has none. `fresh_producer_id`:
/// an id from the pool, when the previous decision asked for one.
init_decision decide_init_producer_id(const transaction_metadata* current, const std::string& transactional_id,
                                      std::int32_t timeout_ms, std::optional<producer_id_and_epoch> expected,
                                      std::optional<std::int64_t> fresh_producer_id, std::int64_t now_ms);

/// AddPartitionsToTxn (and AddOffsetsToTxn, with the group's partition of
/// __consumer_offsets). NONE without `next` when all are in already.
txn_decision decide_add_partitions(const transaction_metadata* current, std::int64_t producer_id,
                                   std::int16_t producer_epoch, const std::set<txn_partition>& partitions,
                                   std::int64_t now_ms);

/// AddPartitionsToTxn v4+ with verify_only (a partition leader asking, KIP-890
/// part 1): each partition's answer, or one error for all of them.
struct verify_decision {
  error_code error = error_code::none;
  std::map<txn_partition, error_code> partitions;
};
verify_decision decide_verify_partitions(const transaction_metadata* current, std::int64_t producer_id,
                                         std::int16_t producer_epoch, const std::set<txn_partition>& partitions);

/// EndTxn from a client: Ongoing into PrepareCommit/PrepareAbort. NONE
/// without `next` for a retry of an end already complete.
txn_decision decide_end_txn(const transaction_metadata* current, std::int64_t producer_id,
                            std::int16_t producer_epoch, bool commit, std::int64_t now_ms);

/// The coordinator aborts an Ongoing transaction itself (its timeout passed,
/// or InitProducerId fences its producer): PrepareAbort with the epoch bumped
/// and no last epoch, so the old producer is fenced by the markers.
transaction_metadata fence_and_abort(const transaction_metadata& ongoing, std::int64_t now_ms);

/// Once every marker is written: PrepareCommit/PrepareAbort into
/// CompleteCommit/CompleteAbort, no partitions left.
transaction_metadata complete(const transaction_metadata& prepared, std::int64_t now_ms);

/// Whether a transaction is between its end and its markers.
bool preparing(txn_state s);
/// An Ongoing transaction past its timeout.
bool timed_out(const transaction_metadata& m, std::int64_t now_ms);
/// Kafka's expiry: Empty/CompleteCommit/CompleteAbort untouched for `expiration_ms`.
bool expired(const transaction_metadata& m, std::int64_t now_ms, std::int64_t expiration_ms);

}  // namespace sluice::group_coordinator::txn
