#pragma once
// Everything one partition of __transaction_state holds: the transactional
// ids that hash to it and their state (Kafka's TransactionStateManager for
// one partition, with the TransactionCoordinator's operations on it). The
// group coordinator instance that owns partition p of __consumer_offsets
// owns partition p of __transaction_state, under the same shard epoch,
// which is also the coordinator epoch its markers carry.
//
// Every change is one TransactionLogValue record of one id, written through
// the shard's result_writer: computed by the rules of
// transaction_metadata.h on the durable state, installed only once durable,
// and only then answered. One write per id at a time: an id's next request
// waits for its write and runs on what it left (where Kafka answers
// CONCURRENT_TRANSACTIONS to a pending transition, the request here waits
// one append instead).
//
// EndTxn (and the coordinator's own aborts: a timed out transaction, or
// InitProducerId fencing an open one) writes PrepareCommit/PrepareAbort,
// answers, and hands the transaction to the marker_sender; once every
// partition has its marker, CompleteCommit/CompleteAbort is written (at
// once for a TV2 abort with no partitions). A shard loaded with ids in
// Prepare* resumes their markers. Markers carry Prepare*'s producer id and
// epoch: under transaction version 2 the bumped epoch, and the old id when
// the end moves the transaction to a new one.
//
// Time is wall-clock milliseconds, passed in (Kafka stamps the records with
// it, and timeouts count from the stamps). Not thread-safe; owned by the
// group service on its actor, from taking the partition over until it moves
// away (close()).
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <variant>

#include "services/group-coordinator/group_options.h"
#include "services/group-coordinator/record_log.h"
#include "services/group-coordinator/result_writer.h"
#include "services/group-coordinator/txn/marker_sender.h"
#include "services/group-coordinator/txn/producer_id_source.h"
#include "services/group-coordinator/txn/transaction_metadata.h"

namespace sluice::group_coordinator::txn {

/// The transaction state of one partition of __transaction_state.
/// Invariant: every id held is what its latest durable record says (plus
/// the last epoch, as Kafka keeps it in memory); no id is Dead or
/// PrepareEpochFence.
class transaction_shard {
 public:
  transaction_shard(std::int32_t partition, std::int64_t epoch, const transaction_options& options,
                    record_log& log, producer_id_source& ids, marker_channel& markers);
  ~transaction_shard();

  std::int32_t partition() const noexcept { return partition_; }
  std::int64_t epoch() const noexcept { return epoch_; }

  /// Replay: one record of the partition, in log order. Throws
  /// protocol::decode_error on a record that does not parse.
  void apply(std::string_view key, std::optional<std::string_view> value);
  /// The replay is done: ids in Prepare* resume their markers.
  void loaded(std::int64_t now_ms);

  /// What is durable; nullptr for an id this shard does not hold.
  const transaction_metadata* find(const std::string& transactional_id) const;
  const std::map<std::string, transaction_metadata>& all() const { return txns_; }

  struct init_answer {
    error_code error = error_code::none;
    std::int64_t producer_id = no_producer_id;
    std::int16_t producer_epoch = no_producer_epoch;
  };
  /// InitProducerId with a transactional id: INVALID_TRANSACTION_TIMEOUT,
  /// PRODUCER_FENCED, CONCURRENT_TRANSACTIONS (markers on their way, or an
  /// open transaction this request has just aborted), or the producer id
  /// and epoch once durable.
  void init_producer_id(const std::string& transactional_id, std::int32_t timeout_ms,
                        std::optional<producer_id_and_epoch> expected, std::int64_t now_ms,
                        std::function<void(init_answer)> done);
  /// AddPartitionsToTxn / AddOffsetsToTxn: NONE once the partitions are in
  /// the transaction (durable), else Kafka's error. `version` 2 for a
  /// partition leader's add (the transaction starts implicitly), else 0.
  void add_partitions(const std::string& transactional_id, producer_id_and_epoch producer,
                      std::set<txn_partition> partitions, txn_version version, std::int64_t now_ms,
                      std::function<void(error_code)> done);

  struct end_answer {
    error_code error = error_code::none;
    std::int64_t producer_id = no_producer_id;  // TV2: what the client goes on with
    std::int16_t producer_epoch = no_producer_epoch;
  };
  /// EndTxn (`version` 0 for v0-4, 2 for v5): NONE once
  /// PrepareCommit/PrepareAbort is durable (the markers follow), or for a
  /// retry of an end already done; a TV2 end that needs a new producer id
  /// (the epochs ran out) takes one from the pool first.
  void end_txn(const std::string& transactional_id, producer_id_and_epoch producer, bool commit, txn_version version,
               std::int64_t now_ms, std::function<void(end_answer)> done);

  /// Marker retries; completions to write again; every
  /// abort_check_interval_ms the Ongoing transactions past their timeout
  /// are aborted; every expiration_check_interval_ms the ids idle past
  /// transactional.id.expiration.ms are removed.
  void tick(std::int64_t now_ms);
  /// The partition moves away: writes and requests under way are answered
  /// NOT_COORDINATOR, markers stop, callbacks still coming do nothing.
  void close();

 private:
  /// What an InitProducerId operation answers: the answer, or that it
  /// needs a new producer id first.
  struct init_step {
    init_answer answer;
    bool needs_producer_id = false;
  };
  void init_with(const std::string& transactional_id, std::int32_t timeout_ms,
                 std::optional<producer_id_and_epoch> expected, std::int64_t now_ms,
                 std::optional<std::int64_t> fresh_producer_id, std::function<void(init_answer)> done);
  /// What an EndTxn operation answers, or that it needs a new producer id first.
  struct end_step {
    end_answer answer;
    bool needs_producer_id = false;
  };
  void end_with(const std::string& transactional_id, producer_id_and_epoch producer, bool commit,
                txn_version version, std::int64_t now_ms, std::optional<std::int64_t> fresh_producer_id,
                std::function<void(end_answer)> done);
  /// Asks the pool for a producer id, then `again(id)`; the pool's error
  /// (or NOT_COORDINATOR once the shard is gone) goes to `failed`.
  void with_new_producer_id(std::function<void(std::int64_t)> again, std::function<void(error_code)> failed);
  /// Runs a client's request whose rule decides on the id's durable state:
  /// refused, answered as it stands, or its new state written and installed.
  void run_decision(const std::string& transactional_id, std::int64_t now_ms,
                    std::function<txn_decision(const transaction_metadata*)> decide,
                    std::function<void(error_code)> done);
  /// Installs a durable state; a Prepare* one starts its markers.
  void install(const transaction_metadata& m);
  void start_markers(const transaction_metadata& prepared);
  /// Writes CompleteCommit/CompleteAbort for the round of `prepared`, if the
  /// id is still in it.
  void write_completion(const transaction_metadata& prepared);
  /// The coordinator aborts an Ongoing transaction past its timeout.
  void abort_timed_out(const std::string& transactional_id);
  void expire(const std::string& transactional_id);
  /// A timer's write (no one to answer).
  void run_timer_write(const std::string& transactional_id,
                       std::function<coordinator_result<std::monostate>()> operation);

  std::int32_t partition_;
  std::int64_t epoch_;
  const transaction_options& options_;
  producer_id_source& ids_;
  result_writer writer_;
  marker_sender markers_;
  std::map<std::string, transaction_metadata> txns_;
  std::set<std::string> completions_to_retry_;  // their Complete* write failed
  std::int64_t now_ms_ = 0;                      // the latest time seen (stamps completions)
  std::int64_t next_abort_check_ms_ = 0;
  std::int64_t next_expiration_check_ms_ = 0;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);  // producer id callbacks outliving the shard do nothing
};

}  // namespace sluice::group_coordinator::txn
