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
#include "services/group-coordinator/group_clock.h"
#include "services/group-coordinator/group_options.h"

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
};

class consumer_group {
 public:
  consumer_group(std::string id, const group_options& options);

  consumer_heartbeat_result heartbeat(consumer_heartbeat req, const topic_catalog& topics, time_point now);
  /// Expired sessions and revocations past the rebalance timeout; partition
  /// count changes of subscribed topics.
  void tick(const topic_catalog& topics, time_point now);
  /// OffsetCommit from a member: its id and current epoch must match.
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
