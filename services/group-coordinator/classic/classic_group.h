#pragma once
// One consumer group on the classic protocol (JoinGroup / SyncGroup /
// Heartbeat / LeaveGroup): Kafka's state machine, with the assignment made
// by the group's leader on the client side and relayed untouched.
//
//   Empty --join--> PreparingRebalance --all joined / rebalance timeout-->
//   CompletingRebalance --leader's SyncGroup--> Stable
//   Stable/CompletingRebalance --member joins, leaves, changes or expires--> PreparingRebalance
//   PreparingRebalance --no member left--> Empty
//
// A plain value: it holds no callbacks and writes nothing, so group_shard
// runs each operation on a copy and keeps the copy only once what the
// operation stored is durable. Requests that wait for their answer
// (JoinGroup until the rebalance completes, SyncGroup until the leader's
// assignment is stored) are named by a waiter id the shard hands in; an
// operation leaves the answers it owes them, and whether the group's stored
// metadata changed, in classic_effects (take_effects()). Time is a parameter
// (`now`); tick() runs the deadlines. Not thread-safe: the group
// coordinator's actor owns it.
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "common/protocol/error_code.h"
#include "services/group-coordinator/group_clock.h"
#include "services/group-coordinator/group_options.h"

namespace sluice::group_coordinator {

using protocol::error_code;

/// Kafka's states but Dead: Kafka's state of a group no longer served. A
/// group here is erased instead (deleted, or its shard closed), so only
/// DescribeGroups of an unknown group says "Dead".
enum class group_state { empty, preparing_rebalance, completing_rebalance, stable };

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

/// A JoinGroup answered with an error (and the member id it asked as).
join_result join_error(error_code e, const std::string& member_id);
/// A SyncGroup answered with an error.
sync_result sync_error(error_code e);

using join_callback = std::function<void(join_result)>;
using sync_callback = std::function<void(sync_result)>;

/// A JoinGroup or SyncGroup request waiting for its answer (classic_waiters
/// holds its callback). Never reused, so an answer cannot reach a later
/// request of the same member.
using waiter_id = std::uint64_t;
inline constexpr waiter_id no_waiter = 0;

/// What an operation on a classic group owes besides its own return value:
/// the answers of waiting requests (its own JoinGroup or SyncGroup among
/// them), in order, and whether the metadata Kafka stores for the group
/// (generation, protocol, leader, members and assignments) changed. The
/// answers go out once that is durable.
struct classic_effects {
  std::vector<std::pair<waiter_id, join_result>> joins;
  std::vector<std::pair<waiter_id, sync_result>> syncs;
  bool metadata_changed = false;
};

/// The same answers as Kafka gives them when the operation's write failed:
/// each waiting request gets `e` instead (JoinGroup keeps its member id).
classic_effects with_error(const classic_effects& owed, error_code e);

/// A member named by a request: its id and, for a static member, its
/// group.instance.id.
struct member_identity {
  std::string member_id;
  std::optional<std::string> instance_id;
};

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
  waiter_id awaiting_join = no_waiter;  // its JoinGroup waits for the rebalance
  waiter_id awaiting_sync = no_waiter;  // its SyncGroup waits for the leader's assignment

  /// This member's metadata for `protocol` ("" if it does not support it).
  const std::string* metadata_for(const std::string& protocol) const;
};

/// One classic group's state. Owned by group_shard, which keeps the copy an
/// operation produced once its effects are durable; the live group's
/// effects are always empty (the shard takes them from the copy).
class classic_group {
 public:
  classic_group(std::string id, const group_options& options);

  // Operations. Each changes the group and leaves what it owes in
  // take_effects(); the caller answers `waiter` through those answers.
  void join(join_request req, waiter_id waiter, time_point now);
  void sync(sync_request req, waiter_id waiter, time_point now);
  error_code heartbeat(const std::string& member_id, const std::optional<std::string>& instance_id,
                       std::int32_t generation, time_point now);
  /// One member leaving (LeaveGroup, any version).
  error_code leave(const std::string& member_id, const std::optional<std::string>& instance_id, time_point now);
  /// Runs the deadlines: the end of a rebalance, expired sessions.
  void tick(time_point now);
  /// Whether tick() would change anything now.
  bool tick_due(time_point now) const;
  /// After an operation's write failed (its answers went out as errors,
  /// the group is as it was before it): the requests it answered no longer
  /// wait, and a group completing a rebalance starts another, as Kafka does
  /// when the leader's assignment cannot be stored; its members rejoin.
  void write_failed(const classic_effects& answered, time_point now);
  /// The answers the operations since the last call owe, and whether they
  /// changed the stored metadata.
  classic_effects take_effects() { return std::exchange(effects_, {}); }

  /// The check an OffsetCommit from a member passes before it is written.
  error_code validate_commit(const std::string& member_id, const std::optional<std::string>& instance_id,
                             std::int32_t generation) const;
  /// The same for a TxnOffsetCommit (Kafka's isTransactional): the group's
  /// state does not matter (no REBALANCE_IN_PROGRESS), and a request naming
  /// no member and no generation (v0-2) is accepted whatever the state.
  error_code validate_txn_commit(const std::string& member_id, const std::optional<std::string>& instance_id,
                                 std::int32_t generation) const;

  /// Downgrade (KIP-848 online migration): the group takes over the members
  /// of a KIP-848 group at `generation` (its group epoch), each with the
  /// assignment it had there, as a "consumer" group with the protocol they
  /// all support and the first member leading; then a rebalance starts, so
  /// that the members rejoin and a leader assigns again (Kafka's
  /// ClassicGroup.fromConsumerGroup and prepareRebalance). Its metadata
  /// changed: the caller writes it.
  void adopt(std::int32_t generation, std::vector<classic_member> members, time_point now);
  /// Upgrade: every request waiting in the group (JoinGroup, SyncGroup) is
  /// answered `e` (Kafka answers REBALANCE_IN_PROGRESS: the members rejoin
  /// the group the id has become); the answers are in take_effects().
  void answer_waiting(error_code e);

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
  void add_member(join_request req, std::string member_id, waiter_id waiter, time_point now);
  /// A static member restarting (same group.instance.id, no member id).
  void replace_static_member(std::string old_id, join_request& req, waiter_id waiter, time_point now);
  void update_member(classic_member& m, join_request& req, waiter_id waiter, time_point now);
  join_result current_join_result(const classic_member& m) const;
  void prepare_rebalance(time_point now, bool initial);
  bool join_complete(time_point now) const;
  void maybe_complete_join(time_point now);
  void complete_join(time_point now);
  void remove_member(const std::string& member_id, time_point now);
  void fail_pending_syncs(error_code e);
  void answer_join(waiter_id waiter, join_result r);
  void answer_sync(waiter_id waiter, sync_result r);
  bool all_joined() const;
  std::optional<std::string> select_protocol() const;
  bool supports_protocols(const join_request& req) const;
  std::string new_member_id(const std::string& client_id);
  error_code check_member(const std::string& member_id, const std::optional<std::string>& instance_id) const;

  std::string id_;
  const group_options& options_;
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
  std::uint64_t member_seq_ = 0;
  classic_effects effects_;                                // owed by the operations since take_effects()
};

}  // namespace sluice::group_coordinator
