#include "services/coordinator/lease_manager.h"

namespace sluice::coordinator {

void lease_manager::grant(node_id id, std::uint64_t epoch, time_point now) {
  leases_[id] = lease{epoch, now + ttl_};
}

lease_manager::renew_result lease_manager::renew(node_id id, std::uint64_t epoch, time_point now) {
  auto it = leases_.find(id);
  if (it == leases_.end() || it->second.deadline <= now) return renew_result::expired;
  if (epoch < it->second.epoch) return renew_result::stale_epoch;
  // An epoch we never granted: the sender is confused; make it register.
  if (epoch > it->second.epoch) return renew_result::expired;
  it->second.deadline = now + ttl_;
  return renew_result::ok;
}

void lease_manager::revoke(node_id id) { leases_.erase(id); }

std::vector<node_id> lease_manager::take_expired(time_point now) {
  std::vector<node_id> out;
  for (auto it = leases_.begin(); it != leases_.end();) {
    if (it->second.deadline <= now) {
      out.push_back(it->first);
      it = leases_.erase(it);
    } else {
      ++it;
    }
  }
  return out;
}

std::optional<lease_manager::time_point> lease_manager::next_deadline() const {
  std::optional<time_point> out;
  for (const auto& [id, l] : leases_)
    if (!out || l.deadline < *out) out = l.deadline;
  return out;
}

}  // namespace sluice::coordinator
