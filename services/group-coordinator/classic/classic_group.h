#pragma once
// One consumer group on the classic protocol (JoinGroup / SyncGroup /
// Heartbeat / LeaveGroup): Kafka's state machine, with the assignment made
// by the group's leader on the client side and relayed untouched.
//
//   Empty --join--> PreparingRebalance --all joined / rebalance timeout-->
//   CompletingRebalance --leader's SyncGroup stored--> Stable
//   Stable/CompletingRebalance --member joins, leaves, changes or expires--> PreparingRebalance
//   PreparingRebalance --no member left--> Empty;  deleted --> Dead
//
// Answers that wait (JoinGroup until the rebalance completes, SyncGroup
// until the leader's assignment is stored) are callbacks kept on the member
// and called exactly once. Time is a parameter (`now`); tick() runs the
// deadlines. Not thread-safe: the group coordinator's actor owns it.
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/protocol/error_code.h"
#include "services/group-coordinator/group_clock.h"
#include "services/group-coordinator/group_options.h"

namespace sluice::group_coordinator {

using protocol::error_code;

enum class group_state { empty, preparing_rebalance, completing_rebalance, stable, dead };

/// Kafka's names ("Empty", "PreparingRebalance", ...), as DescribeGroups and ListGroups show them.
const char* state_name(group_state s) noexcept;

struct join_request {
  std::string member_id;                   // "" for a new member
  std::optional<std::string> instance_id;  // static membership (group.instance.id)
  std::string client_id;
  std::string client_host;
  std::int32_t session_timeout_ms = 0;
  std::int32_t rebalance_timeout_ms = 0;
  std::string protocol_type;
  std::vector<std::pair<std::string, std::string>> protocols;  // name, metadata
  bool require_known_member = false;  // v4+: answer MEMBER_ID_REQUIRED first
};

struct join_member_info {
  std::string member_id;
  std::optional<std::string> instance_id;
  std::string metadata;
};

struct join_result {
  error_code error = error_code::none;
  std::int32_t generation = -1;
  std::string protocol_type;
  std::optional<std::string> protocol_name;
  std::string leader;
  std::string member_id;
  std::vector<join_member_info> members;  // the leader's answer only
};

struct sync_request {
  std::string member_id;
  std::optional<std::string> instance_id;
  std::int32_t generation = -1;
  std::optional<std::string> protocol_type;  // v5+
  std::optional<std::string> protocol_name;  // v5+
  std::map<std::string, std::string> assignments;  // the leader's: member id -> assignment
};

struct sync_result {
  error_code error = error_code::none;
  std::string protocol_type;
  std::optional<std::string> protocol_name;
  std::string assignment;
};

using join_callback = std::function<void(join_result)>;
using sync_callback = std::function<void(sync_result)>;

struct classic_member {
  std::string member_id;
  std::optional<std::string> instance_id;
  std::string client_id;
  std::string client_host;
  std::int32_t session_timeout_ms = 0;
  std::int32_t rebalance_timeout_ms = 0;
  std::vector<std::pair<std::string, std::string>> protocols;
  std::string assignment;
  time_point session_deadline{};
  join_callback awaiting_join;
  sync_callback awaiting_sync;

  /// This member's metadata for `protocol` ("" if it does not support it).
  const std::string* metadata_for(const std::string& protocol) const;
};

class classic_group {
 public:
  /// Stores the group's metadata (members and assignments) durably, then
  /// calls `done` with the outcome (from the owner's actor, later).
  using store_fn = std::function<void(const classic_group&, std::function<void(error_code)> done)>;

  classic_group(std::string id, const group_options& options, store_fn store);

  void join(join_request req, time_point now, join_callback reply);
  void sync(sync_request req, time_point now, sync_callback reply);
  error_code heartbeat(const std::string& member_id, const std::optional<std::string>& instance_id,
                       std::int32_t generation, time_point now);
  /// One member leaving (LeaveGroup, any version).
  error_code leave(const std::string& member_id, const std::optional<std::string>& instance_id, time_point now);
  /// The check an OffsetCommit from a member passes before it is written.
  error_code validate_commit(const std::string& member_id, const std::optional<std::string>& instance_id,
                             std::int32_t generation) const;
  /// Runs the deadlines: the end of a rebalance, expired sessions.
  void tick(time_point now);
  /// The group is deleted, or no longer served here: requests still waiting
  /// get `answer`.
  void mark_dead(error_code answer);

  /// Rebuilds the group from its stored metadata (the owner's replay);
  /// members get a fresh session from `now`.
  void restore(std::string protocol_type, std::int32_t generation, std::optional<std::string> protocol,
               std::optional<std::string> leader, std::vector<classic_member> members, time_point now);

  const std::string& id() const noexcept { return id_; }
  group_state state() const noexcept { return state_; }
  std::int32_t generation() const noexcept { return generation_; }
  const std::string& protocol_type() const noexcept { return protocol_type_; }
  const std::optional<std::string>& protocol_name() const noexcept { return protocol_; }
  const std::optional<std::string>& leader() const noexcept { return leader_; }
  const std::map<std::string, classic_member>& members() const noexcept { return members_; }
  bool empty() const noexcept { return members_.empty(); }
  /// Topics the members subscribe to (from the consumer protocol's subscription).
  std::set<std::string> subscribed_topics() const;

 private:
  void add_member(join_request req, std::string member_id, time_point now, join_callback reply);
  /// A static member restarting (same group.instance.id, no member id).
  void replace_static_member(std::string old_id, join_request& req, time_point now, join_callback reply);
  void update_member(classic_member& m, join_request& req, time_point now, join_callback reply);
  join_result current_join_result(const classic_member& m) const;
  void prepare_rebalance(time_point now, bool initial);
  void maybe_complete_join(time_point now);
  void complete_join(time_point now);
  void remove_member(const std::string& member_id, time_point now);
  void fail_pending_syncs(error_code e);
  void on_stored(std::int32_t generation, error_code e, time_point now);
  bool all_joined() const;
  std::optional<std::string> select_protocol() const;
  bool supports_protocols(const join_request& req) const;
  std::string new_member_id(const std::string& client_id);
  error_code check_member(const std::string& member_id, const std::optional<std::string>& instance_id) const;

  std::string id_;
  const group_options& options_;
  store_fn store_;
  group_state state_ = group_state::empty;
  std::int32_t generation_ = 0;
  std::string protocol_type_;
  std::optional<std::string> protocol_;
  std::optional<std::string> leader_;
  std::map<std::string, classic_member> members_;
  std::map<std::string, std::string> static_members_;     // instance id -> member id
  std::map<std::string, time_point> pending_members_;     // MEMBER_ID_REQUIRED answered, not joined yet
  time_point rebalance_deadline_{};                        // PreparingRebalance ends by then at the latest
  time_point initial_delay_until_{};                       // an initial rebalance waits for more members
  time_point now_{};                                       // the latest time seen (for store callbacks)
  std::uint64_t member_seq_ = 0;
};

}  // namespace sluice::group_coordinator
