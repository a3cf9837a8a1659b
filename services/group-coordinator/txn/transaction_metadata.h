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
//   Empty / Complete* --EndTxn v5 abort--> PrepareAbort (no partitions) --> CompleteAbort
//   Empty / Complete* --InitProducerId--> Empty (epoch + 1, or a new producer id)
//   Empty / Complete* --idle past transactional.id.expiration.ms--> removed (tombstone)
//
// Two transaction versions live side by side, chosen per request as Kafka
// chooses them (KIP-890 part 2):
//   - 0/1: EndTxn (v0-4) ends the transaction under the producer's epoch;
//     the client's AddPartitionsToTxn (v0-3) / AddOffsetsToTxn opens it.
//   - 2: a partition leader's AddPartitionsToTxn (v4+, not verify_only)
//     opens it implicitly; EndTxn v5 writes Prepare* under the epoch + 1
//     (the markers carry it, fencing the transaction's late batches) and
//     answers that epoch; when it would be the last one (Kafka's
//     isEpochExhausted) a new producer id is taken (NextProducerId) and
//     Complete* moves to it at epoch 0 (PreviousProducerId keeps the old
//     one, so a retry of that EndTxn is recognised).
// The transaction records the version of the request that last moved it
// (ClientTransactionVersion), as Kafka's does.
//
// Kafka's PrepareEpochFence and Dead are only ever pending states there
// (never written by a coordinator, never installed): here a fence is
// decided straight into PrepareAbort with the bumped epoch, and an expiry
// into a tombstone. They stay in the enum because the record format
// numbers them.
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

/// Kafka's transaction.version as a request uses it (TransactionVersion),
/// numbered as TransactionLogValue's ClientTransactionVersion.
enum class txn_version : std::int16_t { tv0 = 0, tv1 = 1, tv2 = 2 };
/// Version 2 on: an epoch bump at every EndTxn (TransactionVersion.supportsEpochBump).
bool supports_epoch_bump(txn_version v);
/// The version of a record's level, nullopt for one Kafka does not define.
std::optional<txn_version> txn_version_of(std::int16_t level);

inline constexpr std::int64_t no_producer_id = -1;
inline constexpr std::int16_t no_producer_epoch = -1;
/// From this epoch on a producer id's epochs are exhausted
/// (TransactionMetadata.isEpochExhausted): InitProducerId takes a new id
/// rather than bump, and EndTxn v5 bumps to the last epoch and moves to a
/// new id; the last one is kept so that the coordinator can always fence.
inline constexpr std::int16_t max_handed_out_epoch = 0x7fff - 1;
/// transaction.max.timeout.ms.
inline constexpr std::int32_t default_max_timeout_ms = 900000;

using txn_partition = std::pair<std::string, std::int32_t>;

/// One transactional id's durable state (what its latest
/// TransactionLogValue says, plus the last epoch, which memory keeps for
/// retries). A plain value: copied, changed by the rules below, installed.
/// As in Kafka every change sets `previous_producer_id` to the producer id
/// it changed from, so it differs from `producer_id` only right after a
/// rotation (InitProducerId's, or a TV2 completion's).
struct transaction_metadata {
  std::string transactional_id;
  std::int64_t producer_id = no_producer_id;
  std::int64_t previous_producer_id = no_producer_id;  // the id before the last change (retries across a rotation)
  std::int64_t next_producer_id = no_producer_id;      // TV2: the id Complete* moves to (set in Prepare* only)
  std::int16_t producer_epoch = no_producer_epoch;
  std::int16_t last_producer_epoch = no_producer_epoch;  // a retried InitProducerId gets the current epoch back
  std::int32_t timeout_ms = 0;
  txn_state state = txn_state::empty;
  std::set<txn_partition> partitions;
  std::int64_t start_timestamp = -1;  // wall ms the transaction began (first partition added)
  std::int64_t last_update_timestamp = -1;
  txn_version client_version = txn_version::tv0;  // the version of the request that last moved it

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
/// __consumer_offsets): `version` 0 from a client (v0-3, AddOffsetsToTxn),
/// 2 from a partition leader (v4+ adding: the transaction starts
/// implicitly). NONE without `next` when all are in already.
txn_decision decide_add_partitions(const transaction_metadata* current, producer_id_and_epoch producer,
                                   const std::set<txn_partition>& partitions, txn_version version,
                                   std::int64_t now_ms);

/// AddPartitionsToTxn v4+ with verify_only (a partition leader asking, KIP-890
/// part 1): each partition's answer, or one error for all of them.
struct verify_decision {
  error_code error = error_code::none;
  std::map<txn_partition, error_code> partitions;
};
verify_decision decide_verify_partitions(const transaction_metadata* current, std::int64_t producer_id,
                                         std::int16_t producer_epoch, const std::set<txn_partition>& partitions);

/// EndTxn from a client, `version` 0 for EndTxn v0-4 and 2 for v5.
struct end_decision {
  error_code error = error_code::none;
  /// TV2 with the epochs exhausted: ask the pool and decide again with it.
  bool needs_producer_id = false;
  /// The PrepareCommit/PrepareAbort to write; none for a refusal or for a
  /// retry of an end already done (NONE).
  std::optional<transaction_metadata> next;
  /// What EndTxn v5 answers on success: the producer id and epoch the
  /// client goes on with (those Complete* will hold). TV1 answers none.
  producer_id_and_epoch answer;
};
/// TV1: Ongoing into Prepare* under the same epoch; a retry is the same
/// epoch finding the same outcome. TV2 (Kafka 4's endTransaction): the
/// epoch is bumped, and an abort is taken from Empty/Complete* too (no
/// partitions); a retry names the epoch before the bump (or the id before
/// a rotation), and a same-epoch request in Complete* is the next
/// transaction's end.
end_decision decide_end_txn(const transaction_metadata* current, producer_id_and_epoch producer, bool commit,
                            txn_version version, std::optional<std::int64_t> fresh_producer_id,
                            std::int64_t now_ms);

/// The coordinator aborts an Ongoing transaction itself (its timeout passed,
/// or InitProducerId fences its producer): the epoch is bumped to fence the
/// producer (Kafka's PrepareEpochFence), then the abort is prepared as the
/// transaction's version prepares one: under that epoch with no last epoch
/// (TV0/1), or under one more, the fenced epoch as the last (TV2).
transaction_metadata fence_and_abort(const transaction_metadata& ongoing, std::int64_t now_ms);

/// Once every marker is written: PrepareCommit/PrepareAbort into
/// CompleteCommit/CompleteAbort, no partitions left; a TV2 end that took a
/// new producer id moves to it at epoch 0.
transaction_metadata complete(const transaction_metadata& prepared, std::int64_t now_ms);

/// Whether a transaction is between its end and its markers.
bool preparing(txn_state s);
/// An Ongoing transaction past its timeout.
bool timed_out(const transaction_metadata& m, std::int64_t now_ms);
/// Kafka's expiry: Empty/CompleteCommit/CompleteAbort untouched for `expiration_ms`.
bool expired(const transaction_metadata& m, std::int64_t now_ms, std::int64_t expiration_ms);

}  // namespace sluice::group_coordinator::txn
