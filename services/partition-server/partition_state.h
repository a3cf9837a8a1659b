#pragma once
// One hosted replica: its log plus the leadership facts the RPCs check.
//
// partition_state coordinates the parts, each in its own unit:
//   commit_waiters.h  acks=all appends waiting for the high watermark
//   parked_fetches.h  long-poll fetches waiting for bytes
//   follower_log.h    the follower side: appending, truncating to the leader
//   replica_tracker.h the leader's view of its followers (HW, ISR)
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/base/result.h"
#include "common/base/types.h"
#include "common/config/topic_config.h"
#include "coordinator.pb.h"
#include "metadata.pb.h"
#include "partition.pb.h"
#include "services/partition-server/commit_waiters.h"
#include "services/partition-server/fetch_waiter.h"
#include "services/partition-server/follower_log.h"
#include "services/partition-server/parked_fetches.h"
#include "services/partition-server/replica_tracker.h"
#include "services/partition-server/storage/producer_state.h"
#include "services/partition-server/storage/transaction_index.h"

namespace sluice::storage { class partition_log; }

namespace sluice::partition_server {

namespace pv1 = sluice::partition::v1;
namespace mv1 = sluice::metadata::v1;
namespace cv1 = sluice::coordinator::v1;

/// Server-wide settings every replica applies (Kafka's broker configs).
struct replication_options {
  std::int64_t lag_max_ms = 30000;         // replica.lag.time.max.ms
  std::int32_t default_min_insync = 1;     // min.insync.replicas when the topic has no override
  std::int64_t producer_id_expiration_ms = 86400000;  // producer.id.expiration.ms (a broker config in Kafka)
};

/// What an append did, in the RPC's terms.
struct append_outcome {
  pv1::PartitionError error = pv1::PARTITION_OK;
  std::string message;
  offset base_offset = no_offset;
  offset last_offset = no_offset;
  std::int64_t log_append_time_ms = -1;
  offset log_start_offset{0};
};

/// One WriteTxnMarkers entry for one partition: the transaction
/// coordinator ends producer `producer_id`'s transaction here.
struct marker_request {
  std::int64_t producer_id = -1;
  std::int16_t producer_epoch = -1;
  bool commit = false;                 // COMMIT, else ABORT
  std::int32_t coordinator_epoch = -1;
};

/// What a DeleteRecords entry got from the leader (partition_state::delete_records).
struct deletion_outcome {
  pv1::PartitionError error = pv1::PARTITION_OK;
  std::string message;
  bool policy_violation = false;  // cleanup.policy without delete (error is INVALID_REQUEST)
  offset requested = no_offset;   // the new log start asked for (-1 resolved to the HW)
};

/// Called once when a DeleteRecords entry completes: OK with the low
/// watermark reached, or the error (REQUEST_TIMED_OUT, NOT_LEADER) and no_offset.
using deletion_callback = std::function<void(pv1::PartitionError, offset low_watermark)>;

/// What a read returned: the offsets a fetch reply carries and how many
/// bytes went into the sink.
struct read_outcome {
  pv1::PartitionError error = pv1::PARTITION_OK;
  offset high_watermark = no_offset;
  offset last_stable_offset = no_offset;
  offset log_start_offset = no_offset;
  offset log_end_offset = no_offset;
  leader_epoch diverging_epoch = no_leader_epoch;  // followers: truncate, then fetch again
  offset diverging_end_offset = no_offset;
  std::size_t bytes = 0;
  std::vector<storage::aborted_txn> aborted;  // read_committed: the aborts overlapping the returned batches
};

/// Who is asking a read: a consumer (bounded by the high watermark) or a
/// follower (bounded by the log end; its fetch offset is its log end offset).
struct reader {
  node_id replica_id = no_node;                     // no_node: a consumer
  leader_epoch last_fetched_epoch = no_leader_epoch;  // followers only
  std::int64_t now_ms = 0;
  bool read_committed = false;  // isolation_level 1: bounded by the LSO, with the aborted transactions
  offset log_start_offset = no_offset;  // followers: their log start (DeleteRecords' low watermark)
  bool is_replica() const noexcept { return replica_id >= node_id{0}; }
};

/// Where a follower stands, for its next fetch from the leader.
struct follower_position {
  offset log_end_offset{0};
  offset log_start_offset{0};
  sluice::leader_epoch last_fetched_epoch = no_leader_epoch;
  sluice::leader_epoch leader_epoch = no_leader_epoch;
  node_id leader = no_node;
};

struct offset_outcome {
  pv1::PartitionError error = pv1::PARTITION_OK;
  std::int64_t timestamp = -1;
  sluice::offset offset = no_offset;
  sluice::leader_epoch leader_epoch = no_leader_epoch;
};

/// The logic of one replica, free of CAF and of any clock (time is passed
/// in), so Boost.Test drives it directly; partition_actor only adapts
/// messages to these calls.
///
/// Lifecycle: open() -> set_partition_info() from each metadata view (and
/// each committed ISR change) -> many append/read/list_offset calls ->
/// close() (or close_and_remove() when the topic is deleted). Owned by
/// exactly one actor: not thread-safe.
///
/// Replication (Kafka's model): the leader appends and tracks its followers
/// (replica_tracker); the high watermark is the minimum log end offset of
/// the ISR and only moves forward; consumers never read past it; acks=all
/// appends are answered when it passes them. A follower refuses produce and
/// consumer fetches with NOT_LEADER, appends the leader's batches as they
/// are (append_replicated) and takes min(leader's HW, own LEO) as its HW.
/// ISR changes are proposed by the leader (isr_proposal) and count only once
/// the coordinator committed them (set_partition_info / on_isr_result).
class partition_state {
 public:
  using sink = std::function<std::span<std::byte>(std::size_t)>;

  /// Opens (recovering if needed) the log in `dir`, which prepare_log_dir
  /// made ready, at `now_ms`. Starts as a non-leader at epoch -1.
  static result<std::unique_ptr<partition_state>> open(std::filesystem::path dir, std::string topic,
                                                       std::int32_t partition, config::log_config cfg,
                                                       std::int64_t now_ms);
  ~partition_state();
  partition_state(const partition_state&) = delete;
  partition_state& operator=(const partition_state&) = delete;

  const std::string& topic() const noexcept { return topic_; }
  std::int32_t partition() const noexcept { return partition_; }
  const std::filesystem::path& dir() const noexcept { return dir_; }
  bool is_leader() const noexcept { return leader_; }
  sluice::leader_epoch leader_epoch() const noexcept { return leader_epoch_; }
  /// no_offset once closed.
  offset log_end_offset() const;
  offset log_start_offset() const;

  /// For tests, set_partition_info with a one-replica view: this replica is
  /// node 0, the only replica and ISR member, leading at `leader_epoch` when
  /// `leader`, else following node 1 (not a replica). Applied at time 0 and,
  /// like any view, ignored when older than the one applied (a lower leader
  /// epoch).
  void set_leadership(bool leader, sluice::leader_epoch epoch);
  /// From the metadata (or a committed ISR change): role, epochs, replicas,
  /// ISR, as seen by node `self`.
  void set_partition_info(const mv1::PartitionInfo& info, node_id self, std::int64_t now_ms);
  void set_replication(replication_options o) { repl_ = o; }
  const replication_options& replication() const noexcept { return repl_; }
  void update_config(config::log_config cfg);
  offset high_watermark() const noexcept { return hw_; }
  /// Kafka's LSO: the first offset of the oldest open transaction if it is
  /// below the high watermark, else the high watermark. read_committed
  /// consumers read below it.
  offset last_stable_offset() const;
  sluice::partition_epoch partition_epoch() const noexcept { return sluice::partition_epoch{info_.partition_epoch()}; }
  /// The node this replica follows, no_node when it leads or nobody does.
  node_id leader_node() const noexcept { return leader_ ? no_node : node_id{info_.leader()}; }

  /// Validates, stamps (offsets, leader epoch, LogAppendTime) in place and
  /// appends `batches`; nothing is appended unless every batch is valid.
  /// Wakes parked fetches that were waiting for these bytes.
  /// acks=-1 first checks min.insync.replicas (NOT_ENOUGH_REPLICAS).
  /// `origin` is coordinator for a group coordinator's writes (shard epoch set).
  /// A client's transactional batch that opens a transaction must present
  /// `guard`, from begin_verification() and a yes from the transaction
  /// coordinator (KIP-890), else INVALID_TXN_STATE.
  append_outcome append(std::span<std::byte> batches, std::int64_t now_ms, std::int32_t acks = 1,
                        storage::append_origin origin = storage::append_origin::client,
                        storage::verification_guard guard = storage::no_verification_guard);
  /// Before a client's append with transactional batches: whether the
  /// transaction coordinator must be asked first, and the guard to present
  /// once it said yes (storage::producer_state::begin_verification). Nothing
  /// to ask when this replica does not lead: append() answers that.
  storage::verification_start begin_verification(std::span<const std::byte> batches, std::int64_t now_ms,
                                                 bool supports_epoch_bump);
  /// WriteTxnMarkers (partition_state_transactions.cc), leaders only and
  /// always acks=all (min.insync.replicas checked first, as append does):
  /// checks the marker against the producer's state, appends the control
  /// batch at the current leader epoch and closes the producer's open
  /// transaction; an ABORT adds the .txnindex entry with the LSO of that
  /// moment. The caller then awaits the commit of last_offset + 1.
  append_outcome write_txn_marker(const marker_request& marker, std::int64_t now_ms);
  /// acks=all: `done` runs once the high watermark passes `end_offset` (OK or
  /// NOT_ENOUGH_REPLICAS_AFTER_APPEND), at `deadline_ms` (REQUEST_TIMED_OUT),
  /// or when leadership is lost (NOT_LEADER). Maybe at once.
  void await_commit(offset end_offset, std::int64_t deadline_ms, commit_callback done);
  /// Answers the waits (commits and deletions) whose deadline passed;
  /// returns the next deadline (-1: none).
  std::int64_t expire_commits(std::int64_t now_ms);

  // --- DeleteRecords (Kafka's Partition.deleteRecordsOnLeader) ---
  /// Leaders only: moves the log start offset to `requested` (-1: the high
  /// watermark). Refused when cleanup.policy has no delete (policy
  /// violation), or the offset is negative or above the high watermark
  /// (OFFSET_OUT_OF_RANGE). An offset at or below the log start changes
  /// nothing and succeeds. The caller then awaits the low watermark.
  deletion_outcome delete_records(offset requested);
  /// Leaders: the smallest log start offset of this replica and the ISR's
  /// followers (as their fetches report it); no_offset while one is unknown.
  offset low_watermark() const;
  /// `done` runs once low_watermark() reaches `target` (OK and the low
  /// watermark), at `deadline_ms` (REQUEST_TIMED_OUT), or when leadership is
  /// lost (NOT_LEADER). Maybe at once.
  void await_low_watermark(offset target, std::int64_t deadline_ms, deletion_callback done);

  // --- follower side ---
  follower_position position() const;
  /// Appends a fetch response's batches (may be empty), takes the leader's HW
  /// and follows the leader's log start offset (Kafka's
  /// maybeIncrementLogStartOffset on the follower, bounded by our HW).
  pv1::PartitionError apply_fetched(std::span<const std::byte> batches, offset leader_hw, offset leader_log_start,
                                    std::int64_t now_ms);
  /// The leader said our log diverged at (epoch, end offset): truncate.
  pv1::PartitionError truncate_diverging(sluice::leader_epoch epoch, offset end_offset);
  /// We are out of the leader's range: below its start -> restart empty there;
  /// past its end -> truncate to it.
  pv1::PartitionError reset_to_leader_range(offset leader_start, offset leader_end);

  // --- leader side: ISR ---
  /// The ISR change to send to the coordinator now, if any (one in flight at a time).
  std::optional<cv1::PartitionIsrChange> isr_proposal(std::int64_t now_ms);
  /// The coordinator's answer to our proposal (committed info on success or fencing).
  void on_isr_result(const cv1::PartitionIsrResult& r, node_id self, std::int64_t now_ms);

  /// OffsetForLeaderEpoch: leaders only.
  pv1::EpochEndOffset end_offset_for_epoch(sluice::leader_epoch epoch, sluice::leader_epoch current_leader_epoch) const;
  /// Whole batches from the one holding `from`, at most `max_bytes`
  /// (the first batch even if larger when `min_one`). A negative
  /// `current_leader_epoch` (no_leader_epoch) skips the epoch check.
  read_outcome read(offset from, sluice::leader_epoch current_leader_epoch, std::int32_t max_bytes, bool min_one,
                    const sink& into, const reader& who = {});

  /// timestamp -1 latest (the HW, or the LSO when `read_committed`), -2
  /// earliest, -3 max timestamp, else the first offset whose timestamp is
  /// >= it ({no_offset, -1} when none).
  offset_outcome list_offset(std::int64_t timestamp, sluice::leader_epoch current_leader_epoch,
                             bool read_committed = false);

  /// Parks `waiter` until appends bring new bytes. `end_offset_seen` is the
  /// log end offset the fetch saw: if appends already moved past it (they
  /// ran between the read and this call) the waiter is woken at once.
  /// Consumers are woken as the high watermark moves (`end_offset_seen` is
  /// the HW they saw), read_committed ones as the LSO moves (the LSO they
  /// saw), followers as the log end moves.
  void watch(std::shared_ptr<fetch_waiter> waiter, offset end_offset_seen, bool replica = false,
             bool read_committed = false);
  std::size_t waiter_count() const noexcept { return parked_.size(); }

  /// DescribeProducers: the producers the leader keeps (leaders only, else
  /// NOT_LEADER like the other reads).
  pv1::PartitionProducers describe_producers() const;
  /// DescribeLogDirs: this replica's size (the segments' .log files) and
  /// offset lag, leader or follower; STORAGE_ERROR once closed.
  pv1::ReplicaLogDir describe_log_dir() const;

  /// Deletes old segments past retention.ms / retention.bytes (moves the log
  /// start offset), removes producers idle past producer.id.expiration.ms
  /// without an open transaction, then compacts (cleanup.policy=compact) the sealed
  /// segments below the high watermark; returns how many were deleted.
  std::size_t apply_retention(std::int64_t now_ms);

  /// Makes appended data durable (fsync).
  result<void> flush();
  /// Flushes and closes the log; further calls answer STORAGE_ERROR.
  void close();
  /// Closes the log and deletes its directory (topic deleted or recreated).
  void close_and_remove();

 private:
  partition_state(std::filesystem::path dir, std::string topic, std::int32_t partition,
                  std::unique_ptr<storage::partition_log> log);
  /// NOT_LEADER / FENCED_LEADER_EPOCH / UNKNOWN_LEADER_EPOCH, or OK.
  pv1::PartitionError check_leader(sluice::leader_epoch current_leader_epoch) const;
  /// STORAGE_ERROR (closed), NOT_LEADER (we lead), or OK: may the follower side run.
  pv1::PartitionError check_follower() const;
  follower_log follower();
  /// Recomputes the HW; on progress answers commits and wakes consumers.
  void maybe_advance_hw();
  /// Answers the DeleteRecords waits the low watermark reached (leaders).
  void maybe_complete_deletions();
  void set_hw(offset hw);
  /// The oldest open transaction's first offset (producer state), if any.
  std::optional<offset> first_unstable_offset() const;
  /// What a commit answers now: OK, or NOT_ENOUGH_REPLICAS_AFTER_APPEND when
  /// the ISR is below min.insync.replicas.
  pv1::PartitionError commit_answer() const;
  /// NOT_LEADER / STORAGE_ERROR, or NOT_ENOUGH_REPLICAS for acks=-1 when the
  /// ISR is below min.insync.replicas: what an append answers before the log.
  pv1::PartitionError check_append(std::int32_t acks, std::string& message) const;
  std::int32_t min_insync() const;
  std::vector<node_id> pending_additions() const;
  std::size_t isr_size() const { return static_cast<std::size_t>(info_.isr_size()); }

  std::filesystem::path dir_;
  std::string topic_;
  std::int32_t partition_;
  std::unique_ptr<storage::partition_log> log_;
  bool leader_ = false;
  sluice::leader_epoch leader_epoch_ = no_leader_epoch;
  mv1::PartitionInfo info_;
  replication_options repl_;
  config::log_config cfg_;
  replica_tracker tracker_;
  offset hw_{0};
  offset epoch_start_offset_{0};             // our LEO when this leadership began
  std::optional<std::vector<node_id>> isr_in_flight_;
  std::int64_t isr_retry_after_ms_ = 0;      // after a refused or failed proposal
  commit_waiters commits_;
  commit_waiters deletions_;                 // DeleteRecords entries waiting for the low watermark
  parked_fetches parked_;
};

}  // namespace sluice::partition_server
