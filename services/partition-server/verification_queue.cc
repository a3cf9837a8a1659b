#include "services/partition-server/verification_queue.h"

#include <utility>

namespace sluice::partition_server {

void verification_queue::run_or_queue(std::int64_t producer_id, step run) {
  auto it = producer_id < 0 ? lines_.end() : lines_.find(producer_id);
  if (it == lines_.end()) {
    run();
    return;
  }
  it->second.waiting.push_back(std::move(run));
}

void verification_queue::verification_started(std::int64_t producer_id) {
  if (producer_id >= 0) lines_[producer_id].verifying = true;
}

void verification_queue::verification_done(std::int64_t producer_id) {
  auto it = lines_.find(producer_id);
  if (it == lines_.end()) return;
  it->second.verifying = false;
  // std::map keeps `it` valid while the steps run; they only touch this
  // producer's line through verification_started().
  while (!it->second.verifying && !it->second.waiting.empty()) {
    step next = std::move(it->second.waiting.front());
    it->second.waiting.pop_front();
    next();
  }
  if (!it->second.verifying) lines_.erase(it);
}

std::size_t verification_queue::waiting() const {
  std::size_t n = 0;
  for (const auto& [id, l] : lines_) n += l.waiting.size();
  return n;
}

bool verification_queue::verifying(std::int64_t producer_id) const {
  auto it = lines_.find(producer_id);
  return it != lines_.end() && it->second.verifying;
}

}  // namespace sluice::partition_server
