#include "services/group-coordinator/classic/classic_waiters.h"

namespace sluice::group_coordinator {

waiter_id classic_waiters::add(join_callback reply, std::string member_id) {
  joins_.emplace(++last_, waiting_join{std::move(reply), std::move(member_id)});
  return last_;
}

waiter_id classic_waiters::add(sync_callback reply) {
  syncs_.emplace(++last_, std::move(reply));
  return last_;
}

void classic_waiters::deliver(classic_effects owed) {
  for (auto& [waiter, answer] : owed.joins) {
    auto node = joins_.extract(waiter);
    if (!node.empty()) node.mapped().reply(std::move(answer));
  }
  for (auto& [waiter, answer] : owed.syncs) {
    auto node = syncs_.extract(waiter);
    if (!node.empty()) node.mapped()(std::move(answer));
  }
}

void classic_waiters::fail_all(error_code e) {
  auto joins = std::move(joins_);
  auto syncs = std::move(syncs_);
  joins_.clear();
  syncs_.clear();
  for (auto& [waiter, w] : joins) w.reply(join_error(e, w.member_id));
  for (auto& [waiter, reply] : syncs) reply(sync_error(e));
}

}  // namespace sluice::group_coordinator
