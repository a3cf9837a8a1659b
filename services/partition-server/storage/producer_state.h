#pragma once
// The idempotent and transactional producers of one partition, as Kafka's
// ProducerStateManager keeps them: per producer id its epoch, its last five
// batches (for duplicates and sequence checks), its last timestamp, the
// epoch of the last transaction coordinator that ended one of its
// transactions, and the first offset of its open transaction.
//
// Rules (Kafka's ProducerAppendInfo for an append from a client):
// - epoch below the producer's: INVALID_PRODUCER_EPOCH (Kafka answers it to
//   transactional producers too since 2.7, so they can abort and go on).
// - epoch above the producer's: the first sequence must be 0.
// - same epoch: a batch whose (first, last) sequence equals one of the five
//   retained is a duplicate, answered with the original offsets; otherwise
//   its first sequence must follow the last one (Integer.MAX_VALUE wraps to 0).
// - no state for the producer (new, or expired): any sequence is accepted
//   (Kafka since KIP-360: the producer may have lost its state through
//   retention; UNKNOWN_PRODUCER_ID is no longer answered to produce requests).
// - a non-transactional batch while the producer's transaction is open:
//   INVALID_TXN_STATE. A transactional batch opens one at its base offset; a
//   marker (control batch) closes it.
// - transaction verification (KIP-890 part 1, when the append requires it:
//   a client's append on a leader): a transactional batch that would open a
//   transaction (none open for the producer at the batch's epoch) must
//   present the producer's current verification guard, which
//   begin_verification() created before the transaction coordinator was
//   asked; else INVALID_TXN_STATE. Any transactional batch or marker written
//   for the producer drops its guard, so a batch verified before an abort
//   marker and appended after it is refused (a hanging transaction avoided).
//   While a guard is out, a client's first batch of the producer in a
//   request must not start above the lowest sequence verified, nor (for a
//   producer that lets the leader add partitions, transaction version 2)
//   above 0 when no batch of the producer is retained: OUT_OF_ORDER_SEQUENCE.
// Followers and recovery take the batches as written, without checks.
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/base/types.h"
#include "common/protocol/record_batch_validator.h"

namespace sluice::storage {

/// How many batches of a producer are kept for duplicate detection: as many
/// as a producer may have in flight (max.in.flight.requests.per.connection 5).
inline constexpr std::size_t producer_batches_retained = 5;

/// One retained batch of a producer (Kafka's BatchMetadata).
struct producer_batch {
  std::int32_t first_seq = -1;
  std::int32_t last_seq = -1;
  offset first_offset = no_offset;
  offset last_offset = no_offset;
  std::int64_t max_timestamp = -1;
  bool operator==(const producer_batch&) const = default;
};

/// One producer's state on this partition (Kafka's ProducerStateEntry).
/// `batches` are all of `epoch`, oldest first, at most
/// producer_batches_retained; empty when the producer wrote only markers in
/// this epoch (or its batches were lost with a snapshot's older entries).
struct producer_entry {
  std::int64_t producer_id = -1;
  std::int16_t epoch = -1;               // -1: no epoch known
  std::int32_t coordinator_epoch = -1;
  std::int64_t last_timestamp = -1;      // of its last batch or marker
  std::optional<offset> txn_first_offset;  // its open transaction, if any
  std::deque<producer_batch> batches;

  std::int32_t last_seq() const noexcept { return batches.empty() ? -1 : batches.back().last_seq; }
  bool operator==(const producer_entry&) const = default;
};

/// A transaction that a marker closed: ptxn's transaction index records
/// aborted ones. `last_offset` is the marker's offset.
struct completed_txn {
  std::int64_t producer_id = -1;
  offset first_offset = no_offset;
  offset last_offset = no_offset;
  bool aborted = false;
  bool operator==(const completed_txn&) const = default;
};

/// A leader's token for one verification of a producer's transaction with
/// the transaction coordinator (Kafka's VerificationGuard): unique in this
/// partition's producer state, so a verification answered after the
/// producer's transaction ended (and maybe a new one began) matches no
/// guard. 0 is none and verifies nothing.
using verification_guard = std::uint64_t;
inline constexpr verification_guard no_verification_guard = 0;

/// A producer's verification in progress (Kafka's VerificationStateEntry):
/// created when a leader asks the transaction coordinator, dropped when a
/// transactional batch or a marker of the producer is written, or after
/// producer.id.expiration.ms.
struct verification_entry {
  verification_guard guard = no_verification_guard;
  std::int64_t started_ms = 0;
  std::int32_t lowest_sequence = -1;  // a later batch may not start above it while the guard is out
  std::int16_t epoch = -1;
  bool supports_epoch_bump = false;   // transaction version 2: the producer's first batch is at sequence 0
  bool operator==(const verification_entry&) const = default;
};

/// How a leader's append is held to verification. `required` for a
/// client's appends on a leader; the guard is the one the transaction
/// coordinator's answer was for (none when nobody was asked).
struct txn_verification {
  bool required = false;
  verification_guard guard = no_verification_guard;
};

/// What begin_verification() decided for one produce request's batches.
struct verification_start {
  protocol::append_verdict verdict;  // refused before asking anyone (an older epoch)
  std::int64_t producer_id = -1;
  /// Set when the coordinator must be asked: the producer's entry, whose
  /// guard the append presents once the coordinator answered yes.
  std::optional<verification_entry> pending;
};

/// The leader's verdict on the batches of one produce request.
struct produce_check {
  protocol::append_verdict verdict;
  /// The request repeats a retained batch: answer with its offsets and write nothing.
  std::optional<producer_batch> duplicate;
};

/// Who wrote a leader's batch (Kafka's AppendOrigin). A group
/// coordinator's transactional offset commits carry the producer's id and
/// epoch but sequences of its own, so only the epoch is checked for them
/// and nothing is taken for a retry.
enum class append_origin { client, coordinator };

/// Producer state of one partition replica. Owned by its partition_log, on
/// the partition's actor thread (no locks). Invariants: every batch below
/// end_offset() that carries a producer id has been observed, in log order;
/// `ongoing_` holds exactly the open transactions of `producers_`; no guard
/// in `verifications_` was given out twice.
///
/// Lifecycle: the log loads it at open (snapshot + replay), feeds every
/// written batch to observe() (leader after the write, follower, replay),
/// rebuilds it on truncation, and snapshots it at each roll and at close
/// (producer_snapshot.h).
class producer_state {
 public:
  /// Checks one produce request's batches (stamped with their offsets, not
  /// yet written) against the producers' state, all together: earlier
  /// batches of the request count for later ones. Changes nothing.
  /// `coordinator` writes get the epoch checks only.
  /// `verification` (client appends only) holds transactional batches that
  /// open a transaction to the producer's guard (rules above).
  produce_check check_produce(std::span<const std::byte> batches, append_origin origin = append_origin::client,
                              txn_verification verification = {}) const;

  /// Kafka's maybeStartTransactionVerification, for a client's produce
  /// request: the first transactional batch's producer, when it has no
  /// transaction open here at that batch's epoch, gets a verification entry
  /// (created at `now_ms`, or the existing one kept with its lowest sequence
  /// and epoch moved as Kafka does) and `pending` is set: ask the
  /// coordinator, then append with that guard. An epoch below the
  /// producer's is refused at once (INVALID_PRODUCER_EPOCH). No
  /// transactional batch, or a transaction already open: nothing to ask.
  verification_start begin_verification(std::span<const std::byte> batches, std::int64_t now_ms,
                                        bool supports_epoch_bump);
  /// The producer's verification in progress, if any.
  const verification_entry* verification(std::int64_t producer_id) const;

  /// Checks a marker before it is written: its producer epoch must not be
  /// below the producer's (INVALID_PRODUCER_EPOCH) and its coordinator
  /// epoch not below the last seen (coordinator_fenced). A producer with no
  /// state passes (Kafka writes that marker too).
  std::optional<protocol::append_errc> check_marker(std::int64_t producer_id, std::int16_t producer_epoch,
                                                    std::int32_t coordinator_epoch) const;

  /// Takes one written batch (whole, CRC good, offsets stamped) into the
  /// state, without checks. A control batch that closes the producer's open
  /// transaction returns it; everything else returns nullopt. Moves
  /// end_offset() past the batch.
  std::optional<completed_txn> observe(std::span<const std::byte> batch);

  /// Lowest first offset of a transaction that is open, or closed by a
  /// marker the high watermark has not passed yet (Kafka's unstable
  /// offsets); the last stable offset is min(this, HW).
  std::optional<offset> first_unstable_offset() const;
  /// Transactions whose marker is below `hw` stop counting as unstable.
  void on_high_watermark(offset hw);

  /// Removes producers idle for `expiration_ms` or more (their last
  /// timestamp against `now_ms`) that have no open transaction (Kafka's
  /// producer.id.expiration.ms), and verifications started that long ago
  /// (never answered, or refused). Returns how many producers went.
  std::size_t remove_expired(std::int64_t now_ms, std::int64_t expiration_ms);

  /// Forgets every producer; the state now starts at `start`. Verifications
  /// in progress stay (Kafka's truncation keeps them too): they belong to
  /// requests still waiting for the coordinator.
  void clear(offset start);
  /// Replaces the state with a snapshot's entries, taken at `end`. Expired
  /// ones go at the next remove_expired (Kafka leaves them out at once).
  void load(std::vector<producer_entry> entries, offset end);

  const std::map<std::int64_t, producer_entry>& producers() const noexcept { return producers_; }
  const producer_entry* find(std::int64_t producer_id) const;
  /// One past the last batch observed (or where clear/load put the state).
  offset end_offset() const noexcept { return end_offset_; }
  void set_end_offset(offset end) noexcept { end_offset_ = end; }

 private:
  struct closed_txn {
    std::int64_t producer_id;
    offset last_offset;
  };

  std::map<std::int64_t, producer_entry> producers_;
  std::map<offset, std::int64_t> ongoing_;    // first offset -> producer id
  std::map<offset, closed_txn> unreplicated_;  // first offset -> marker not below the HW yet
  std::map<std::int64_t, verification_entry> verifications_;  // producer id -> verification in progress
  verification_guard last_guard_ = no_verification_guard;     // guards are never reused, not even after clear()
  offset end_offset_{0};
};

}  // namespace sluice::storage
