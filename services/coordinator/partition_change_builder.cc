#include "services/coordinator/partition_change_builder.h"

#include <utility>

namespace sluice::coordinator {
namespace {

std::vector<node_id> without(const std::vector<node_id>& v, const std::vector<node_id>& drop) {
  std::vector<node_id> out;
  for (auto n : v)
    if (!contains(drop, n)) out.push_back(n);
  return out;
}

std::vector<node_id> only(const std::vector<node_id>& v, const std::vector<node_id>& keep) {
  std::vector<node_id> out;
  for (auto n : v)
    if (contains(keep, n)) out.push_back(n);
  return out;
}

}  // namespace

partition_change_builder::partition_change_builder(partition_record current, acceptable_fn acceptable_leader)
    : current_(std::move(current)),
      acceptable_(std::move(acceptable_leader)),
      target_replicas_(current_.replicas),
      target_adding_(current_.adding_replicas),
      target_removing_(current_.removing_replicas) {}

bool partition_change_builder::may_lead(node_id n) const {
  return n != no_node && n != move_away_from_ && !must_leave_.count(n) && acceptable_(n);
}

partition_change_builder::choice partition_change_builder::choose_leader(const partition_record& next) const {
  // Replica order puts the preferred leader first, so `preferred` needs no
  // step of its own here.
  for (auto n : next.replicas)
    if (next.in_isr(n) && may_lead(n)) return {n, false};
  if (election_ == election::unclean)
    for (auto n : next.replicas)
      if (may_lead(n)) return {n, true};
  return {};
}

std::optional<partition_record> partition_change_builder::build() const {
  partition_record next = current_;

  // 1. Replicas, and a reassignment that can complete.
  next.replicas = target_replicas_;
  next.adding_replicas = target_adding_;
  next.removing_replicas = target_removing_;
  std::vector<node_id> isr = target_isr_.value_or(current_.isr);
  if (complete_reassignment_ && next.reassigning() && without(next.adding_replicas, isr).empty()) {
    auto target = without(next.replicas, next.removing_replicas);
    auto in_sync = only(isr, target);
    if (!in_sync.empty()) {  // nobody of the target set is in sync yet otherwise
      next.replicas = std::move(target);
      isr = std::move(in_sync);
      next.adding_replicas.clear();
      next.removing_replicas.clear();
    }
  }

  // 2. The ISR: replicas only, never empty.
  isr = only(isr, next.replicas);
  next.isr = isr.empty() ? current_.isr : std::move(isr);

  // 3. The leader.
  const node_id was = current_.leader;
  const bool holds = was != no_node && next.in_isr(was) && next.is_replica(was) && !must_leave_.count(was);
  choice c{was, false};
  if (was != no_node && !holds) {
    c = choose_leader(next);  // it must go, with or without a successor
  } else if (was != no_node && was == move_away_from_) {
    if (auto other = choose_leader(next); other.leader != no_node) c = other;
  } else if (elect_ && election_ == election::preferred) {
    const node_id preferred = next.preferred_leader();
    if (preferred != was && next.in_isr(preferred) && may_lead(preferred)) c = {preferred, false};
  } else if (elect_ && (was == no_node || !acceptable_(was))) {
    if (auto other = choose_leader(next); other.leader != no_node) c = other;
  }
  next.leader = c.leader;
  // Unclean: the new leader's log is the truth from now on, whatever the
  // old ISR had acknowledged.
  if (c.unclean) next.isr = {c.leader};

  // 4. Epochs.
  const bool leader_changed = next.leader != was || (bump_leader_epoch_ && next.leader != no_node);
  const bool lists_changed = next.replicas != current_.replicas || next.isr != current_.isr ||
                             next.adding_replicas != current_.adding_replicas ||
                             next.removing_replicas != current_.removing_replicas;
  if (leader_changed) next.leader_epoch = current_.leader_epoch + 1;
  if (lists_changed) next.partition_epoch = current_.partition_epoch + 1;

  if (next == current_) return std::nullopt;
  return next;
}

}  // namespace sluice::coordinator
