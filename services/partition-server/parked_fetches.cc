#include "services/partition-server/parked_fetches.h"

namespace sluice::partition_server {

void parked_fetches::watch(std::shared_ptr<fetch_waiter> waiter, bool replica, offset seen, offset current) {
  drop_fired();
  if (current != seen) {
    waiter->wake();
    return;
  }
  (replica ? followers_ : consumers_).push_back(std::move(waiter));
}

void parked_fetches::watch_committed(std::shared_ptr<fetch_waiter> waiter, offset seen, offset current) {
  drop_fired();
  if (current != seen) {
    waiter->wake();
    return;
  }
  committed_.push_back(std::move(waiter));
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

void parked_fetches::on_high_watermark(offset high_watermark) {
  std::size_t newly = 0;
  while (!above_hw_.empty() && above_hw_.front().first <= high_watermark) {
    newly += above_hw_.front().second;
    above_hw_.pop_front();
  }
  if (newly == 0 || consumers_.empty()) return;
  for (auto& w : consumers_) w->add_bytes(newly);
  drop_fired();
}

void parked_fetches::on_last_stable_offset(offset last_stable_offset) {
  std::size_t newly = 0;
  while (!above_lso_.empty() && above_lso_.front().first <= last_stable_offset) {
    newly += above_lso_.front().second;
    above_lso_.pop_front();
  }
  if (newly == 0 || committed_.empty()) return;
  for (auto& w : committed_) w->add_bytes(newly);
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
