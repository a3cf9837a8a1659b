#pragma once
// One consumer group on the KIP-848 protocol (ConsumerGroupHeartbeat): the
// coordinator computes the target assignment with a server-side assignor and
// moves each member towards it one heartbeat at a time. A partition changes
// hands only after its old owner has confirmed giving it up, so no two
// members consume it at once.
//
// Epochs: the group epoch grows whenever membership, subscriptions or the
// subscribed topics' partition counts change; the target assignment is
// recomputed at once (assignment epoch = group epoch). A member reaches the
// assignment epoch once it has nothing left to revoke.
//
// Classic members (KIP-848 online migration): a member that joined with
// JoinGroup is a member like any other, with the protocols and session
// timeout it joined with (`classic`); it learns of a new epoch from
// Heartbeat's REBALANCE_IN_PROGRESS, rejoins, and gets its assignment from
// SyncGroup (consumer_group_classic.cc). Its generation is its member epoch.
//
// Not thread-safe; time is a parameter. The group itself knows nothing of
// the log: group_shard runs each change on a copy, writes the records of
// what changed (consumer_group_store.h), and keeps the copy once they are
// durable; a new owner rebuilds the group with the restore_* calls.
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/protocol/error_code.h"
#include "common/protocol/wire.h"
#include "services/group-coordinator/assignors/assignment.h"
#include "services/group-coordinator/classic/classic_group.h"
#include "services/group-coordinator/group_clock.h"
#include "services/group-coordinator/group_options.h"
#include "services/group-coordinator/records/consumer_group_records.h"

namespace sluice::group_coordinator {

using protocol::error_code;

/// The topics a consumer group can subscribe to: name <-> id, partitions.
class topic_catalog {
 public:
  struct topic {
    protocol::uuid id{};
    std::int32_t partitions = 0;
  };
  void add(std::string name, protocol::uuid id, std::int32_t partitions);
  const topic* find(const std::string& name) const;
  /// nullptr when no topic has that id.
  const std::string* name_of(const protocol::uuid& id) const;
  const std::map<std::string, topic>& all() const noexcept { return by_name_; }

 private:
  std::map<std::string, topic> by_name_;
  std::map<std::string, std::string> by_id_;  // the id's 16 bytes -> name
};

/// A new member id in Kafka's form for server-made ids (a random UUID,
/// base64url without padding).
std::string new_consumer_member_id();
/// Whether the two assignments share a partition.
bool assignments_overlap(const member_assignment& a, const member_assignment& b);

/// Member epoch of a static member that left for a while (KIP-848).
inline constexpr std::int32_t static_leave_epoch = -2;

struct consumer_heartbeat {
  std::string member_id;
  std::int32_t member_epoch = 0;  // 0 join, -1 leave, -2 static leave
  std::optional<std::string> instance_id;
  std::optional<std::string> rack_id;
  std::int32_t rebalance_timeout_ms = -1;
  std::optional<std::vector<std::string>> subscribed_topic_names;  // null: unchanged
  std::optional<std::string> subscribed_topic_regex;               // null: unchanged
  std::optional<std::string> server_assignor;
  std::optional<member_assignment> owned;  // null: unchanged since the last heartbeat
  std::string client_id;
  std::string client_host;
  bool client_generates_member_id = false;  // v1+
};

struct consumer_heartbeat_result {
  error_code error = error_code::none;
  std::string error_message;
  std::string member_id;
  std::int32_t member_epoch = 0;
  std::int32_t heartbeat_interval_ms = 0;
  std::optional<member_assignment> assignment;  // set when it changed
};

struct consumer_member {
  std::string member_id;
  std::optional<std::string> instance_id;
  std::optional<std::string> rack_id;
  std::string client_id;
  std::string client_host;
  std::int32_t member_epoch = 0;
  std::int32_t previous_epoch = -1;
  std::int32_t rebalance_timeout_ms = 0;
  std::vector<std::string> subscribed_topics;
  std::optional<std::string> subscribed_regex;
  std::optional<std::string> server_assignor;
  member_assignment assigned;  // what it has been told to own
  member_assignment revoking;  // told to give up, not confirmed yet
  time_point session_deadline{};
  time_point revocation_deadline{};
  bool assignment_changed = true;  // send `assigned` with the next answer
  /// Set for a member that joined with the classic protocol (JoinGroup).
  std::optional<classic_member_metadata> classic;
  /// A classic member told to rejoin (REBALANCE_IN_PROGRESS) must do so by
  /// then (Kafka's join timeout: its rebalance timeout); unset otherwise.
  std::optional<time_point> rejoin_deadline;
};

class consumer_group {
 public:
  consumer_group(std::string id, const group_options& options);

  consumer_heartbeat_result heartbeat(consumer_heartbeat req, const topic_catalog& topics, time_point now);
  /// Expired sessions and revocations past the rebalance timeout; partition
  /// count changes of subscribed topics.
  void tick(const topic_catalog& topics, time_point now);
  // Classic members (consumer_group_classic.cc), as Kafka's
  // classicGroup*ToConsumerGroup: JoinGroup is answered at once with the
  // member's epoch as its generation (no leader: the assignment is ours),
  // SyncGroup with its assigned partitions, Heartbeat with
  // REBALANCE_IN_PROGRESS while it has to rejoin (a newer group epoch,
  // partitions to give up, or partitions it waited for now free).
  join_result join_classic(join_request req, const topic_catalog& topics, time_point now);
  sync_result sync_classic(const sync_request& req, time_point now);
  error_code heartbeat_classic(const member_identity& member, std::int32_t generation, time_point now);
  error_code leave_classic(const member_identity& member, const topic_catalog& topics);
  /// Whether a classic member with these protocols may join: type
  /// "consumer", and one protocol every classic member supports.
  bool supports_classic_protocols(const join_request& req) const;
  /// Whether any member speaks ConsumerGroupHeartbeat (not a classic member).
  bool has_consumer_protocol_members() const;

  /// OffsetCommit from a member: its id and current epoch must match
  /// (STALE_MEMBER_EPOCH; ILLEGAL_GENERATION for a classic member).
  error_code validate_commit(const std::string& member_id, std::int32_t member_epoch) const;

  const std::string& id() const noexcept { return id_; }
  /// "Empty", "Reconciling" or "Stable" (Kafka's names).
  const char* state_name() const noexcept;
  std::int32_t group_epoch() const noexcept { return group_epoch_; }
  std::int32_t assignment_epoch() const noexcept { return assignment_epoch_; }
  const std::string& assignor() const noexcept { return assignor_; }
  const std::map<std::string, consumer_member>& members() const noexcept { return members_; }
  const group_assignment& target() const noexcept { return target_; }
  bool empty() const noexcept { return members_.empty(); }
  std::set<std::string> subscribed_topics(const topic_catalog& topics) const;
  /// The subscribed topics' partition counts the target was computed for.
  const std::map<std::string, std::int32_t>& partition_counts() const noexcept { return partition_counts_; }
  /// Whether tick() would change anything (a deadline passed, a partition count changed).
  bool tick_due(const topic_catalog& topics, time_point now) const;

  // Replay: the group rebuilt from its records, one at a time in log order.
  void restore_group_epoch(std::int32_t epoch) { group_epoch_ = epoch; }
  void restore_assignment_epoch(std::int32_t epoch) { assignment_epoch_ = epoch; }
  void restore_partition_counts(std::map<std::string, std::int32_t> counts) { partition_counts_ = std::move(counts); }
  /// nullopt: the member has no target (tombstone).
  void restore_target(const std::string& member_id, std::optional<member_assignment> target);
  /// The member, created if new (epoch 0, a session from `now`, as Kafka
  /// schedules every loaded member's session anew).
  consumer_member& restore_member(const std::string& member_id, time_point now);
  void restore_remove_member(const std::string& member_id);
  /// The group's assignor, from the members' preferences (after restoring them).
  void restore_assignor() { assignor_ = preferred_assignor(); }

 private:
  std::string preferred_assignor() const;
  consumer_heartbeat_result join(consumer_heartbeat& req, const topic_catalog& topics, time_point now);
  /// A static member back after leaving with epoch -2 replaces its old self.
  consumer_heartbeat_result rejoin_static(const std::string& old_id, const std::string& new_id,
                                          consumer_heartbeat& req, const topic_catalog& topics, time_point now);
  /// True when the subscription changed (the caller starts a new epoch).
  bool update_subscription(consumer_member& m, consumer_heartbeat& req, time_point now);
  void reconcile(consumer_member& m, time_point now);
  /// Takes the member out and starts a new epoch without it.
  void remove(const std::string& member_id, const topic_catalog& topics);
  /// New group epoch and target assignment.
  void rebalance(const topic_catalog& topics);
  std::vector<std::string> topics_of(const consumer_member& m, const topic_catalog& topics) const;
  std::map<std::string, std::int32_t> subscribed_partition_counts(const topic_catalog& topics) const;
  bool held_by_other(const std::string& member_id, const std::string& topic, std::int32_t partition) const;
  consumer_heartbeat_result answer(consumer_member& m);
  /// The classic member a request names, or the error Kafka answers
  /// (UNKNOWN_MEMBER_ID, FENCED_INSTANCE_ID); nullptr then.
  consumer_member* classic_member_named(const member_identity& member, error_code& error);
  /// REBALANCE_IN_PROGRESS for a classic member that must rejoin (starting
  /// its rejoin deadline), else NONE.
  error_code classic_rejoin_needed(consumer_member& m, time_point now);
  /// A static member (instance id) joining as `new_id` takes the place of `old_id`.
  consumer_member& take_over(const std::string& old_id, const std::string& new_id);

  std::string id_;
  const group_options& options_;
  std::int32_t group_epoch_ = 0;
  std::int32_t assignment_epoch_ = 0;
  std::string assignor_;
  std::map<std::string, consumer_member> members_;
  group_assignment target_;
  std::map<std::string, std::int32_t> partition_counts_;  // of the subscribed topics, at the last rebalance
};

}  // namespace sluice::group_coordinator
