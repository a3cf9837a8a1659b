#pragma once
// The JoinGroup and SyncGroup requests of a shard's classic groups that wait
// for their answer. A classic_group only names them (waiter ids), so it can
// be copied, and a copy dropped when its write fails; their callbacks live
// here, and the shard hands them the answers a group's operation owes once
// its change is durable.
#include <map>
#include <string>
#include <utility>

#include "services/group-coordinator/classic/classic_group.h"

namespace sluice::group_coordinator {

/// Waiting classic requests by waiter id. Owned by group_shard, on its
/// actor. Ids are never reused and each waiter is answered at most once:
/// an answer for one already answered (or never registered) is dropped.
class classic_waiters {
 public:
  /// `member_id`: the id the request asked as (the answer to the shard
  /// closing carries it, as Kafka's does).
  waiter_id add(join_callback reply, std::string member_id);
  waiter_id add(sync_callback reply);
  /// Answers the waiters named, joins first, each in order.
  void deliver(classic_effects owed);
  /// Every request still waiting gets `e` (the shard is closing).
  void fail_all(error_code e);

 private:
  struct waiting_join {
    join_callback reply;
    std::string member_id;
  };
  waiter_id last_ = no_waiter;
  std::map<waiter_id, waiting_join> joins_;
  std::map<waiter_id, sync_callback> syncs_;
};

}  // namespace sluice::group_coordinator
