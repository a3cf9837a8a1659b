#pragma once
// Everything one partition of __consumer_offsets holds: its groups (classic
// and KIP-848) and their committed offsets. A group coordinator serves the
// shards it owns; a new owner rebuilds a shard by replaying the partition
// (apply()) before serving it.
//
// Every operation that changes anything (classic JoinGroup, SyncGroup,
// Heartbeat, LeaveGroup and their timers; ConsumerGroupHeartbeat and its
// timers; OffsetCommit, OffsetDelete, DeleteGroups, retention) computes a
// coordinator_result: its answer, the records of its change, and the
// change. The shard's result_writer is the only writer of the partition:
// memory changes only once the records are durable, and only then is
// anyone answered, so what clients were told always matches what a new
// owner replays. A group's operation runs on a copy of the group, and the
// copy replaces the group once durable; offsets change by the records'
// effect, through the same code replay runs. One write per group at a
// time: the group's next operations wait for it, in order.
//
// Transactional offsets (TxnOffsetCommit) are pending for their producer
// until its marker, written through the same writer in log order, commits
// or drops them (group_shard_txn.cc).
//
// The read-only APIs (DescribeGroups, ListGroups, OffsetFetch, ...) read
// the const accessors: what is durable. Not thread-safe.
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "services/group-coordinator/classic/classic_group.h"
#include "services/group-coordinator/classic/classic_waiters.h"
#include "services/group-coordinator/consumer/consumer_group.h"
#include "services/group-coordinator/record_log.h"
#include "services/group-coordinator/records/offsets_records.h"
#include "services/group-coordinator/result_writer.h"
#include "services/group-coordinator/txn_offsets_checker.h"

namespace sluice::group_coordinator {

using topic_partition = std::pair<std::string, std::int32_t>;

/// An offset as the shard holds it: the record's value, and where its
/// record stands in the log among the shard's offset records (Kafka keeps
/// the record's offset). A transaction's offset becomes the committed one
/// only if its record came after the committed one's (a plain commit made
/// while the transaction was open wins), whatever compaction removed since.
struct stored_offset : offset_value {
  std::uint64_t log_order = 0;
};
using group_offsets = std::map<topic_partition, stored_offset>;

/// One shard's groups and offsets. Owned by group_service (on its actor)
/// from the moment it takes the partition over until it moves away
/// (close()). Invariant: every group held is the result of the durable
/// records (replayed, or written by this shard), plus state Kafka keeps in
/// memory only (sessions, members waiting in a rebalance).
class group_shard {
 public:
  group_shard(std::int32_t partition, std::int64_t epoch, const group_options& options, record_log& log);

  std::int32_t partition() const noexcept { return partition_; }
  std::int64_t epoch() const noexcept { return epoch_; }

  /// Replay: one record of the partition, in log order. `topics` names the
  /// topic ids of KIP-848 assignments.
  void apply(std::string_view key, std::optional<std::string_view> value, const topic_catalog& topics, time_point now);
  /// Replay: one record of a transactional batch of `producer`. An offset
  /// becomes pending for the producer; anything else applies as in apply().
  void apply_transactional(txn_producer producer, std::string_view key, std::optional<std::string_view> value,
                           const topic_catalog& topics, time_point now);
  /// Replay: a transaction marker (control batch) of `producer_id`. COMMIT
  /// makes the producer's pending offsets committed, ABORT drops them
  /// (Kafka's replayEndTransactionMarker); no pending offsets: nothing.
  void apply_marker(std::int64_t producer_id, bool commit);

  // What is durable.
  const classic_group* classic(const std::string& group) const;
  const consumer_group* consumer(const std::string& group) const;
  /// A group exists with members, committed offsets, or pending ones
  /// (Kafka creates an empty "simple" group for a commit without one).
  bool exists(const std::string& group) const;
  /// nullptr when the group has no committed offsets.
  const group_offsets* offsets(const std::string& group) const;
  /// Whether an open transaction has an offset pending for the group's
  /// partition (OffsetFetch with require_stable answers UNSTABLE_OFFSET_COMMIT).
  bool has_pending(const std::string& group, const topic_partition& tp) const;
  /// The offset `producer`'s open transaction holds for the partition; nullptr if none.
  const stored_offset* pending(std::int64_t producer, const std::string& group, const topic_partition& tp) const;
  /// Every group id with its protocol type and state, for ListGroups.
  struct listing {
    std::string group_id;
    std::string protocol_type;
    std::string state;
    std::string type;  // "classic" or "consumer"
  };
  std::vector<listing> list() const;

  // The classic protocol. Each answer goes out once what the request
  // changed is durable; a JoinGroup waits for its rebalance, a SyncGroup
  // for the leader's assignment. A failed write answers Kafka's error
  // (group_write_error) and changes nothing. When the id is a KIP-848 group
  // with members, the request is a classic member's of that group
  // (consumer_group::join_classic and its siblings; KIP-848 online
  // migration), answered at once. `topics` as for consumer_group_heartbeat.
  /// Creates the group if needed (an empty KIP-848 group of the id is
  /// replaced, its records tombstoned).
  void join_group(const std::string& group, join_request req, const topic_catalog& topics, time_point now,
                  join_callback reply);
  void sync_group(const std::string& group, sync_request req, const topic_catalog& topics, time_point now,
                  sync_callback reply);
  void heartbeat(const std::string& group, member_identity member, std::int32_t generation,
                 const topic_catalog& topics, time_point now, std::function<void(error_code)> reply);
  /// LeaveGroup's answer: one error per member, in order; or, when what
  /// the leave changed could not be written (or the shard closed first),
  /// `error` for the whole request and no member answers, as Kafka's
  /// GroupCoordinatorService answers a failed classic-group-leave.
  struct leave_result {
    error_code error = error_code::none;
    std::vector<error_code> members;
  };
  void leave_group(const std::string& group, std::vector<member_identity> members, const topic_catalog& topics,
                   time_point now, std::function<void(leave_result)> reply);

  /// ConsumerGroupHeartbeat: runs on a copy of the group; what changed is
  /// written, and once durable the copy becomes the group and `done` gets
  /// the answer. A failed write changes nothing and answers Kafka's error
  /// (NOT_COORDINATOR, COORDINATOR_NOT_AVAILABLE, ...). A classic group
  /// with members is upgraded first when the migration policy allows it
  /// (group_conversion.h), else GROUP_ID_NOT_FOUND; an empty one is
  /// replaced (its record tombstoned). When the last member speaking this
  /// protocol leaves a group of classic members, the group is downgraded.
  /// `topics` must stay valid
  /// until `done` runs, not only for the call: the heartbeat may wait for
  /// the group's write under way.
  void consumer_group_heartbeat(const std::string& group, consumer_heartbeat req, const topic_catalog& topics,
                                time_point now, std::function<void(consumer_heartbeat_result)> done);

  /// Writes the offsets; on success they become visible. `done` gets the outcome.
  void commit(const std::string& group, std::vector<std::pair<topic_partition, offset_value>> offsets,
              std::function<void(error_code)> done);
  void delete_offsets(const std::string& group, std::vector<topic_partition> partitions,
                      std::function<void(error_code)> done);
  /// TxnOffsetCommit's check of the committer (Kafka's
  /// validateTransactionalOffsetCommit): a group nobody manages accepts
  /// generation -1 (an unknown one is ILLEGAL_GENERATION otherwise); a
  /// classic group checks member, instance and generation (v3+), whatever
  /// its state; a KIP-848 group the member and its epoch, a stale epoch
  /// answering ILLEGAL_GENERATION.
  error_code validate_txn_commit(const std::string& group, const std::string& member_id,
                                 const std::optional<std::string>& instance_id, std::int32_t generation) const;
  /// A TxnOffsetCommit as the shard runs it (txn_offset_commit()).
  struct txn_commit_request {
    std::string group;
    std::string transactional_id;
    txn_producer producer;
    std::string member_id;
    std::optional<std::string> instance_id;
    std::int32_t generation = -1;
    std::int16_t version = 0;  // the request's: v5+ adds the partition to the transaction
  };
  /// How a TxnOffsetCommit ended: `refused` when its check or the
  /// validation refused it as a whole (Kafka then answers every partition
  /// with `error`); else `error` is the write's, for the offsets written.
  struct txn_commit_outcome {
    error_code error = error_code::none;
    bool refused = false;
  };
  /// TxnOffsetCommit as Kafka runs it (scheduleTransactionalWriteOperation):
  /// unless the producer has an ongoing transaction in this shard already,
  /// `checker` is asked whether our partition is in it (v0-4), or to add it
  /// (v5+); then the committer is validated (validate_txn_commit) and the
  /// offsets written (commit_transactional). The operations of one group
  /// run in the order they arrived, whatever order the checks answer in. A
  /// marker of the producer written while its check is out makes the
  /// commit INVALID_TXN_STATE (Kafka's verification guard): the
  /// transaction it verified has ended. A refusal carries the checker's
  /// answer in Kafka's TxnOffsetCommit terms (txn_offset_check_error) or
  /// the validation's error. Empty `offsets`: checked and validated,
  /// nothing written.
  void txn_offset_commit(txn_commit_request request, std::vector<std::pair<topic_partition, offset_value>> offsets,
                         txn_offsets_checker& checker, std::function<void(txn_commit_outcome)> done);
  /// TxnOffsetCommit: writes the offsets as one transactional batch of
  /// `producer`; once durable they are pending for it, invisible to
  /// OffsetFetch until its COMMIT marker. `done` gets the outcome.
  void commit_transactional(const std::string& group, txn_producer producer,
                            std::vector<std::pair<topic_partition, offset_value>> offsets,
                            std::function<void(error_code)> done);
  /// A transaction marker for this shard (the transaction coordinator ends
  /// a transaction): writes it and, once durable, applies it as
  /// apply_marker() does. `done` gets NONE or the marker's error
  /// (record_log::write_marker).
  void complete_transaction(txn_marker marker, std::function<void(error_code)> done);

  /// DeleteGroups: tombstones for the group and all its offsets, pending
  /// ones included (and, for a KIP-848 group, its records). GROUP_ID_NOT_FOUND when there is nothing
  /// of it; NON_EMPTY_GROUP when it has members or a write of it is under
  /// way (a member may be joining).
  void delete_group(const std::string& group, std::function<void(error_code)> done);

  /// The groups' deadlines (sessions, rebalances, revocations, partition
  /// count changes), each a write like a request's.
  void tick(const topic_catalog& topics, time_point now);
  /// Kafka's offsets.retention.minutes (KIP-211): a committed offset goes (a
  /// tombstone is written) when nobody in its group has consumed its topic
  /// for the retention: the group is empty, or no member subscribes to it,
  /// and both the commit and the group's last activity seen are older.
  /// `wall_now_ms` is the wall clock, as commit timestamps are.
  /// Returns how many offsets it is removing.
  std::size_t expire_offsets(std::int64_t wall_now_ms, const topic_catalog& topics);
  /// Refuses every waiting request and write under way (NOT_COORDINATOR):
  /// the shard moves away or the service stops.
  void close();

 private:
  /// A group as served, with the incarnation that tells it from any later
  /// group of the same id (deleted and created again, or replaced by the
  /// other protocol): a result is applied only to the incarnation it was
  /// computed from.
  template <class Group>
  struct live_group {
    std::uint64_t incarnation = 0;
    std::unique_ptr<Group> group;
  };
  template <class Group>
  using group_map = std::map<std::string, live_group<Group>>;

  /// A classic operation as group_shard runs it (group_shard_classic.cc).
  template <class Reply>
  struct classic_op;
  template <class Reply>
  struct classic_reply;
  template <class Reply>
  void run_classic(const std::string& group, classic_op<Reply> op);
  template <class Reply>
  coordinator_result<classic_reply<Reply>> classic_result(const std::string& group, const classic_op<Reply>& op);
  /// A classic request to a KIP-848 group with members: `change` on a copy
  /// of it, written by consumer_write (group_shard_classic.cc).
  template <class Reply>
  coordinator_result<classic_reply<Reply>> classic_in_consumer(
      const std::string& group, const live_group<consumer_group>& live, const topic_catalog& topics, time_point now,
      const std::function<classic_reply<Reply>(consumer_group&)>& change,
      std::function<classic_reply<Reply>(error_code)> failed);
  /// How a KIP-848 group's change from `durable` (what the log holds of the
  /// group of `incarnation`; new_group: nothing) to `next` is written and
  /// applied (group_shard_migration.cc): the records of the difference,
  /// after the tombstone of an empty classic group the new group replaces;
  /// or, when the change downgrades the group (downgrade_due), the group's
  /// tombstones and the classic group's record, and the classic group takes
  /// its place. The response is the caller's.
  coordinator_result<std::monostate> consumer_write(const std::string& group, std::uint64_t incarnation,
                                                    const consumer_group& durable,
                                                    std::shared_ptr<consumer_group> next, const topic_catalog& topics,
                                                    time_point now);
  /// A ConsumerGroupHeartbeat to a classic group with members: the upgrade
  /// (group_shard_migration.cc), or GROUP_ID_NOT_FOUND when not allowed.
  coordinator_result<consumer_heartbeat_result> upgrade(const std::string& group,
                                                        const live_group<classic_group>& classic,
                                                        const consumer_heartbeat& req, const topic_catalog& topics,
                                                        time_point now);
  /// A KIP-848 change on a copy of `current`, the group of `incarnation`
  /// (new_group: an empty group not created yet) (group_shard_consumer.cc).
  template <class Response>
  coordinator_result<Response> consumer_result(const std::string& group, std::uint64_t incarnation,
                                               const consumer_group& current, const topic_catalog& topics,
                                               time_point now, const std::function<Response(consumer_group&)>& change);

  void tick_classic(time_point now);
  void tick_consumer(const topic_catalog& topics, time_point now);
  live_group<classic_group>* find_classic(const std::string& group);
  live_group<consumer_group>* find_consumer(const std::string& group);
  /// Replay: creates the group (empty) when it does not exist, taking the
  /// id from an empty group of the other protocol; nullptr when the id
  /// belongs to a non-empty group of the other protocol.
  live_group<classic_group>* classic_or_create(const std::string& group);
  live_group<consumer_group>* consumer_or_create(const std::string& group);
  /// Whether a new group may take `id`: no group of the other protocol
  /// has it, or only an empty one.
  template <class Other>
  static bool id_free_for_new_group(const group_map<Other>& others, const std::string& id);
  /// The incarnation an operation names when it starts a group that does
  /// not exist yet: the group comes into being when the result is applied.
  static constexpr std::uint64_t new_group = 0;
  /// Puts `next` in the place of the group `incarnation` names; for
  /// new_group, creates it, replacing an empty group of the other protocol.
  template <class Group, class Other>
  void install(group_map<Group>& groups, group_map<Other>& others, const std::string& id,
               std::uint64_t incarnation, Group next);
  /// A conversion: `next` takes the place of the group of `incarnation` in
  /// `from`, as a group of the other protocol (a new incarnation).
  template <class From, class To>
  void replace(group_map<From>& from, group_map<To>& to, const std::string& id, std::uint64_t incarnation, To next);
  /// One committed offset set, or removed (nullopt): replay and writes
  /// alike. A removal drops the partition's pending offsets too.
  void apply_offset(const std::string& group, const topic_partition& tp, const std::optional<offset_value>& value);
  /// One offset of `producer`'s transaction, pending: replay and writes alike.
  void apply_pending(txn_producer producer, const std::string& group, const topic_partition& tp,
                     const offset_value& value);
  /// Whether `producer` has offsets pending here at its epoch: a transaction
  /// of this epoch is open in the partition (Kafka's hasOngoingTransaction).
  /// Offsets of an older epoch belong to a transaction whose marker is
  /// still on its way (under transaction version 2 every transaction has
  /// its own epoch), so they say nothing about the current one.
  bool has_open_transaction(txn_producer producer) const;
  /// Partitions of `group` with pending offsets and no committed one.
  std::vector<topic_partition> pending_only(const std::string& group) const;
  /// A TxnOffsetCommit waiting for its check, or for the group's earlier ones.
  struct queued_txn_commit {
    txn_commit_request request;
    std::vector<std::pair<topic_partition, offset_value>> offsets;
    std::function<void(txn_commit_outcome)> done;
    std::optional<error_code> checked;  // the check's answer, once there is one
    std::uint64_t guard = 0;            // the verification it holds; 0: none needed
  };
  /// Runs the group's TxnOffsetCommits whose checks have answered, in
  /// arrival order, up to the first still waiting.
  void run_txn_commits(const std::string& group);
  /// The producer's verification guard (Kafka's VerificationStateEntry),
  /// created if it has none; the caller holds it until release_guard().
  std::uint64_t hold_guard(std::int64_t producer);
  /// Whether `guard` is still the producer's: no marker came since it was made.
  bool guard_valid(std::int64_t producer, std::uint64_t guard) const;
  void release_guard(std::int64_t producer, std::uint64_t guard);
  void apply_consumer(std::string_view key, std::optional<std::string_view> value, const topic_catalog& topics,
                      time_point now);

  std::int32_t partition_;
  std::int64_t epoch_;
  const group_options& options_;
  result_writer writer_;
  classic_waiters waiters_;
  std::uint64_t incarnations_ = 0;
  group_map<classic_group> classic_;
  group_map<consumer_group> consumer_;
  std::map<std::string, group_offsets> offsets_;
  // Transactional offsets awaiting their marker, by producer id then group
  // (Kafka's pendingTransactionalOffsets), and the producers with pending
  // offsets in each group (openTransactionsByGroup).
  std::map<std::int64_t, std::map<std::string, group_offsets>> pending_;
  std::map<std::int64_t, std::int16_t> pending_epochs_;  // the epoch of each producer's pending offsets
  std::map<std::string, std::set<std::int64_t>> open_txns_;
  // TxnOffsetCommits by group, in arrival order, while any of them waits
  // for its check.
  std::map<std::string, std::deque<std::shared_ptr<queued_txn_commit>>> txn_commits_;
  // Verification guards by producer id: made by the first check of a
  // producer without an ongoing transaction here, dropped by its next
  // marker (a check that answered after the marker verified a transaction
  // that has ended) or when no TxnOffsetCommit holds it any more.
  struct verification_guard {
    std::uint64_t token = 0;
    int holders = 0;
  };
  std::map<std::int64_t, verification_guard> guards_;
  std::uint64_t last_guard_ = 0;
  // Check answers arriving after close() (or after the shard is gone) do nothing.
  std::shared_ptr<bool> open_ = std::make_shared<bool>(true);
  std::uint64_t log_order_ = 0;  // the last offset record's place (stored_offset::log_order)
  std::map<std::string, std::int64_t> last_active_ms_;  // wall time a retention check last saw members
  std::int64_t first_check_ms_ = -1;
};

template <class Other>
bool group_shard::id_free_for_new_group(const group_map<Other>& others, const std::string& id) {
  auto it = others.find(id);
  return it == others.end() || it->second.group->empty();
}

template <class Group, class Other>
void group_shard::install(group_map<Group>& groups, group_map<Other>& others, const std::string& id,
                          std::uint64_t incarnation, Group next) {
  // A group's writes run one at a time and nothing else replaces a group
  // while one is under way, so the group is still the one the result was
  // computed from. Should it be gone (or be a later group of the same id),
  // the result is not its to apply.
  auto it = groups.find(id);
  if (incarnation == new_group) {
    if (it != groups.end() || !id_free_for_new_group(others, id)) return;
    others.erase(id);  // an empty group may change protocol
    groups.emplace(id, live_group<Group>{++incarnations_, std::make_unique<Group>(std::move(next))});
    return;
  }
  if (it == groups.end() || it->second.incarnation != incarnation) return;
  it->second.group = std::make_unique<Group>(std::move(next));
}

template <class From, class To>
void group_shard::replace(group_map<From>& from, group_map<To>& to, const std::string& id, std::uint64_t incarnation,
                          To next) {
  auto it = from.find(id);
  if (it == from.end() || it->second.incarnation != incarnation || to.count(id)) return;
  from.erase(it);
  to.emplace(id, live_group<To>{++incarnations_, std::make_unique<To>(std::move(next))});
}

}  // namespace sluice::group_coordinator
