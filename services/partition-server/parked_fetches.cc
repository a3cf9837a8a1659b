#include "services/partition-server/parked_fetches.h"

namespace sluice::partition_server {

void parked_fetches::watch(std::shared_ptr<fetch_waiter> waiter, bool replica, offset seen, offset current) {
  park(replica ? followers_ : consumers_, std::move(waiter), seen, current);
}

void parked_fetches::watch_committed(std::shared_ptr<fetch_waiter> waiter, offset seen, offset current) {
  park(committed_, std::move(waiter), seen, current);
}

void parked_fetches::park(waiters& into, std::shared_ptr<fetch_waiter> waiter, offset seen, offset current) {
  drop_fired();
  if (current != seen) {
    waiter->wake();
    return;
  }
  into.push_back(std::move(waiter));
}

void parked_fetches::on_append(offset end_offset, std::size_t bytes) {
  above_hw_.emplace_back(end_offset, bytes);
  above_lso_.emplace_back(end_offset, bytes);
  if (above_lso_.size() > max_above_lso) {
    const std::size_t oldest = above_lso_.front().second;
    above_lso_.pop_front();
    above_lso_.front().second += oldest;
  }
  if (followers_.empty()) return;
  for (auto& w : followers_) w->add_bytes(bytes);
  drop_fired();
}

void parked_fetches::on_high_watermark(offset high_watermark) { release(above_hw_, high_watermark, consumers_); }

void parked_fetches::on_last_stable_offset(offset last_stable_offset) {
  release(above_lso_, last_stable_offset, committed_);
}

void parked_fetches::release(appends& pending, offset bound, waiters& woken) {
  std::size_t newly = 0;
  while (!pending.empty() && pending.front().first <= bound) {
    newly += pending.front().second;
    pending.pop_front();
  }
  if (newly == 0 || woken.empty()) return;
  for (auto& w : woken) w->add_bytes(newly);
  drop_fired();
}

void parked_fetches::wake_all() {
  for (auto& w : consumers_) w->wake();
  for (auto& w : committed_) w->wake();
  for (auto& w : followers_) w->wake();
  consumers_.clear();
  committed_.clear();
  followers_.clear();
}

void parked_fetches::drop_fired() {
  auto fired = [](const std::shared_ptr<fetch_waiter>& w) { return w->done(); };
  std::erase_if(consumers_, fired);
  std::erase_if(committed_, fired);
  std::erase_if(followers_, fired);
}

}  // namespace sluice::partition_server
