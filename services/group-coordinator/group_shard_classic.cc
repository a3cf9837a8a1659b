// group_shard's classic protocol: JoinGroup, SyncGroup, Heartbeat,
// LeaveGroup and the groups' deadlines, each as a coordinator_result.
//
// The operation runs on a copy of the group. The copy's effects say what
// it owes waiting requests and whether the group's metadata changed; if
// it did, the GroupMetadata record is written, and only once it is durable
// does the copy replace the group and the answers go out. A failed write
// leaves the group as it was, answers every one of those requests with
// Kafka's error, and then lets the group react (write_failed: a group
// completing a rebalance starts another, as Kafka does after a failed
// SyncGroup write).
//
// A request naming a KIP-848 group with members is a classic member's of
// that group (KIP-848 online migration): it runs on a copy of the KIP-848
// group (consumer_group::join_classic and its siblings) and is written as
// any change of it (consumer_write).
#include <variant>

#include "services/group-coordinator/classic/classic_group_store.h"
#include "services/group-coordinator/consumer/consumer_group_store.h"
#include "services/group-coordinator/group_shard.h"

namespace sluice::group_coordinator {

/// The defaults suit an operation that answers only through the group's
/// waiters (JoinGroup, SyncGroup, timers).
template <class Reply>
struct group_shard::classic_op {
  time_point now{};
  bool create = false;                          // JoinGroup makes a group that does not exist
  std::function<Reply(classic_group&)> change;  // on a copy of the group
  std::function<Reply()> no_group = [] { return Reply{}; };  // the answer when there is no such group
  std::function<Reply(error_code)> failed = [](error_code) { return Reply{}; };  // when the write fails
  std::function<void(Reply)> reply = [](Reply) {};
  /// The request as a classic member's of a KIP-848 group with members.
  std::function<coordinator_result<classic_reply<Reply>>(const live_group<consumer_group>&)> in_consumer_group;
};

/// What a classic operation answers: its requester directly (Heartbeat,
/// LeaveGroup), and the requests waiting in the group (JoinGroup,
/// SyncGroup: the requester's own among them).
template <class Reply>
struct group_shard::classic_reply {
  Reply own{};
  classic_effects owed;
};

template <class Reply>
void group_shard::run_classic(const std::string& group, classic_op<Reply> op) {
  using response = classic_reply<Reply>;
  auto shared = std::make_shared<const classic_op<Reply>>(std::move(op));
  writer_.run<response>(
      group, [this, group, shared] { return classic_result(group, *shared); },
      [this, shared](response r) {
        waiters_.deliver(std::move(r.owed));
        shared->reply(std::move(r.own));
      },
      // Closing before it ran: its waiter (if any) is answered by close().
      [shared](error_code e) { return response{shared->failed(e), {}}; });
}

template <class Reply>
coordinator_result<group_shard::classic_reply<Reply>> group_shard::classic_result(const std::string& group,
                                                                                  const classic_op<Reply>& op) {
  using response = classic_reply<Reply>;
  if (auto* kip848 = find_consumer(group); kip848 && !kip848->group->empty()) return op.in_consumer_group(*kip848);
  std::shared_ptr<classic_group> next;
  std::uint64_t incarnation = new_group;
  if (auto* live = find_classic(group)) {
    next = std::make_shared<classic_group>(*live->group);
    incarnation = live->incarnation;
  } else if (op.create && id_free_for_new_group(consumer_, group)) {
    next = std::make_shared<classic_group>(group, options_);  // exists once applied
  } else {
    return answered_now(response{op.no_group(), {}});
  }
  coordinator_result<response> r;
  r.response.own = op.change(*next);
  r.response.owed = next->take_effects();
  if (r.response.owed.metadata_changed) r.records.push_back(classic_group_record(*next, wall_clock_ms()));
  // A new group taking the id of an empty KIP-848 group deletes it (Kafka's
  // maybeDeleteEmptyConsumerGroup).
  if (auto* empty = find_consumer(group); empty && incarnation == new_group) {
    auto tombstones = consumer_group_tombstones(*empty->group);
    r.records.insert(r.records.begin(), tombstones.begin(), tombstones.end());
  }
  r.apply = [this, group, incarnation, next] { install(classic_, consumer_, group, incarnation, std::move(*next)); };
  // An operation that writes answers every request it made wait on the
  // copy (the leader's SyncGroup answers every waiting member, a static
  // member's rejoin answers itself, a group left empty has nobody
  // waiting), so answering `owed` with the error leaves no request of the
  // dropped copy unanswered.
  r.failed = [failed = op.failed, owed = r.response.owed](error_code e) {
    return response{failed(group_write_error(e)), with_error(owed, group_write_error(e))};
  };
  r.after_failure = [this, group, owed = r.response.owed, now = op.now] {
    classic_op<std::monostate> react;
    react.now = now;
    react.change = [owed, now](classic_group& g) {
      g.write_failed(owed, now);
      return std::monostate{};
    };
    run_classic(group, std::move(react));
  };
  return r;
}

template <class Reply>
coordinator_result<group_shard::classic_reply<Reply>> group_shard::classic_in_consumer(
    const std::string& group, const live_group<consumer_group>& live, const topic_catalog& topics, time_point now,
    const std::function<classic_reply<Reply>(consumer_group&)>& change,
    std::function<classic_reply<Reply>(error_code)> failed) {
  auto next = std::make_shared<consumer_group>(*live.group);
  coordinator_result<classic_reply<Reply>> r;
  r.response = change(*next);
  auto written = consumer_write(group, live.incarnation, *live.group, next, topics, now);
  r.records = std::move(written.records);
  r.apply = std::move(written.apply);
  r.failed = [failed = std::move(failed)](error_code e) { return failed(group_write_error(e)); };
  return r;
}

void group_shard::join_group(const std::string& group, join_request req, const topic_catalog& topics, time_point now,
                             join_callback reply) {
  using response = classic_reply<std::monostate>;
  const waiter_id waiter = waiters_.add(std::move(reply), req.member_id);
  auto owed_join = [waiter](join_result r) {
    response out;
    out.owed.joins.emplace_back(waiter, std::move(r));
    return out;
  };
  classic_op<std::monostate> op;
  op.now = now;
  op.create = true;
  op.in_consumer_group = [this, group, req, &topics, now, owed_join](const live_group<consumer_group>& live) {
    return classic_in_consumer<std::monostate>(
        group, live, topics, now, [&](consumer_group& g) { return owed_join(g.join_classic(req, topics, now)); },
        [owed_join, member_id = req.member_id](error_code e) { return owed_join(join_error(e, member_id)); });
  };
  op.change = [req = std::move(req), waiter, now](classic_group& g) {
    g.join(req, waiter, now);
    return std::monostate{};
  };
  run_classic(group, std::move(op));
}

void group_shard::sync_group(const std::string& group, sync_request req, const topic_catalog& topics, time_point now,
                             sync_callback reply) {
  using response = classic_reply<std::monostate>;
  const waiter_id waiter = waiters_.add(std::move(reply));
  auto owed_sync = [waiter](sync_result r) {
    response out;
    out.owed.syncs.emplace_back(waiter, std::move(r));
    return out;
  };
  classic_op<std::monostate> op;
  op.now = now;
  op.in_consumer_group = [this, group, req, &topics, now, owed_sync](const live_group<consumer_group>& live) {
    return classic_in_consumer<std::monostate>(
        group, live, topics, now, [&](consumer_group& g) { return owed_sync(g.sync_classic(req, now)); },
        [owed_sync](error_code e) { return owed_sync(sync_error(e)); });
  };
  op.change = [req = std::move(req), waiter, now](classic_group& g) {
    g.sync(req, waiter, now);
    return std::monostate{};
  };
  op.no_group = [this, waiter] {
    classic_effects owed;
    owed.syncs.emplace_back(waiter, sync_error(error_code::unknown_member_id));
    waiters_.deliver(std::move(owed));
    return std::monostate{};
  };
  run_classic(group, std::move(op));
}

void group_shard::heartbeat(const std::string& group, member_identity member, std::int32_t generation,
                            const topic_catalog& topics, time_point now, std::function<void(error_code)> reply) {
  using response = classic_reply<error_code>;
  classic_op<error_code> op;
  op.now = now;
  op.in_consumer_group = [this, group, member, generation, &topics, now](const live_group<consumer_group>& live) {
    return classic_in_consumer<error_code>(
        group, live, topics, now,
        [&](consumer_group& g) { return response{g.heartbeat_classic(member, generation, now), {}}; },
        [](error_code e) { return response{e, {}}; });
  };
  op.change = [member = std::move(member), generation, now](classic_group& g) {
    return g.heartbeat(member.member_id, member.instance_id, generation, now);
  };
  op.no_group = [] { return error_code::unknown_member_id; };
  op.failed = [](error_code e) { return e; };
  op.reply = std::move(reply);
  run_classic(group, std::move(op));
}

void group_shard::leave_group(const std::string& group, std::vector<member_identity> members,
                              const topic_catalog& topics, time_point now, std::function<void(leave_result)> reply) {
  using response = classic_reply<leave_result>;
  const std::size_t count = members.size();
  classic_op<leave_result> op;
  op.now = now;
  op.in_consumer_group = [this, group, members, &topics, now](const live_group<consumer_group>& live) {
    return classic_in_consumer<leave_result>(
        group, live, topics, now,
        [&](consumer_group& g) {
          response out;
          for (const auto& m : members) out.own.members.push_back(g.leave_classic(m, topics));
          return out;
        },
        [](error_code e) { return response{leave_result{e, {}}, {}}; });
  };
  op.change = [members = std::move(members), now](classic_group& g) {
    leave_result left;
    for (const auto& m : members) left.members.push_back(g.leave(m.member_id, m.instance_id, now));
    return left;
  };
  op.no_group = [count] {
    return leave_result{error_code::none, std::vector<error_code>(count, error_code::unknown_member_id)};
  };
  op.failed = [](error_code e) { return leave_result{e, {}}; };
  op.reply = std::move(reply);
  run_classic(group, std::move(op));
}

void group_shard::tick_classic(time_point now) {
  std::vector<std::string> due;
  for (const auto& [id, g] : classic_)
    if (!writer_.writing(id) && g.group->tick_due(now)) due.push_back(id);
  for (const auto& id : due) {
    // A failed write (a group left empty) leaves the deadline passed: the
    // next tick tries again.
    classic_op<std::monostate> op;
    op.now = now;
    op.change = [now](classic_group& g) {
      g.tick(now);
      return std::monostate{};
    };
    run_classic(id, std::move(op));
  }
}

}  // namespace sluice::group_coordinator
