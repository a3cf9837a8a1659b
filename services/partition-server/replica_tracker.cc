#include "services/partition-server/replica_tracker.h"

#include <algorithm>

namespace sluice::partition_server {

void replica_tracker::reset(node_id self, const std::vector<node_id>& replicas, const std::vector<node_id>& isr,
                            std::int64_t now_ms) {
  self_ = self;
  followers_.clear();
  for (auto r : replicas)
    if (r != self) followers_.push_back({r, no_offset, now_ms, -1, no_offset, no_offset});
  isr_ = isr;
}

void replica_tracker::set_isr(const std::vector<node_id>& isr) { isr_ = isr; }

void replica_tracker::set_replicas(const std::vector<node_id>& replicas, std::int64_t now_ms) {
  std::vector<follower> next;
  for (auto r : replicas) {
    if (r == self_) continue;
    const auto* known = find(r);
    next.push_back(known ? *known : follower{r, no_offset, now_ms, -1, no_offset, no_offset});
  }
  followers_ = std::move(next);
}

bool replica_tracker::on_fetch(node_id replica, offset fetch_offset, offset leader_leo, std::int64_t now_ms,
                               offset log_start) {
  auto it = std::find_if(followers_.begin(), followers_.end(), [&](const follower& f) { return f.id == replica; });
  if (it == followers_.end()) return false;
  if (fetch_offset >= leader_leo)
    it->last_caught_up_ms = std::max(it->last_caught_up_ms, now_ms);
  else if (it->last_fetch_ms >= 0 && fetch_offset >= it->leader_leo_at_last_fetch)
    it->last_caught_up_ms = std::max(it->last_caught_up_ms, it->last_fetch_ms);
  it->leo = fetch_offset;
  it->last_fetch_ms = now_ms;
  it->leader_leo_at_last_fetch = leader_leo;
  if (log_start != no_offset) it->log_start = log_start;
  return true;
}

const replica_tracker::follower* replica_tracker::find(node_id id) const {
  for (const auto& f : followers_)
    if (f.id == id) return &f;
  return nullptr;
}

bool replica_tracker::in_isr(node_id id) const { return std::find(isr_.begin(), isr_.end(), id) != isr_.end(); }

offset replica_tracker::follower_leo(node_id replica) const {
  const auto* f = find(replica);
  return f ? f->leo : no_offset;
}

offset replica_tracker::high_watermark(offset leader_leo, const std::vector<node_id>& pending_additions) const {
  offset hw = leader_leo;
  auto count = [&](node_id id) {
    if (id == self_) return;
    const auto* f = find(id);
    // A member we know nothing of (not a replica any more, or no fetch yet)
    // holds the watermark: acknowledging past it could lose the write.
    hw = std::min(hw, f ? f->leo : no_offset);
  };
  for (auto id : isr_) count(id);
  for (auto id : pending_additions) count(id);
  return hw;
}

offset replica_tracker::low_watermark(offset leader_log_start) const {
  offset low = leader_log_start;
  for (auto id : isr_) {
    if (id == self_) continue;
    const auto* f = find(id);
    low = std::min(low, f ? f->log_start : no_offset);
  }
  return low;
}

std::optional<std::vector<node_id>> replica_tracker::wanted_isr(std::int64_t now_ms, std::int64_t lag_max_ms,
                                                                offset high_watermark,
                                                                offset epoch_start_offset) const {
  std::vector<node_id> next;
  bool changed = false;
  for (auto id : isr_) {
    const auto* f = find(id);
    if (id != self_ && (!f || now_ms - f->last_caught_up_ms > lag_max_ms)) {
      changed = true;
      continue;
    }
    next.push_back(id);
  }
  if (std::find(next.begin(), next.end(), self_) == next.end()) {
    next.insert(next.begin(), self_);
    changed = true;
  }
  for (const auto& f : followers_) {
    if (in_isr(f.id)) continue;
    if (f.leo >= offset{0} && f.leo >= high_watermark && f.leo >= epoch_start_offset &&
        now_ms - f.last_caught_up_ms <= lag_max_ms) {
      next.push_back(f.id);
      changed = true;
    }
  }
  if (!changed) return std::nullopt;
  return next;
}

}  // namespace sluice::partition_server
