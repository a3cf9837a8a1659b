#include "services/partition-server/commit_waiters.h"

#include <algorithm>

namespace sluice::partition_server {

namespace pv1 = sluice::partition::v1;

void commit_waiters::add(offset end_offset, std::int64_t deadline_ms, commit_callback done) {
  waits_.push_back({end_offset, deadline_ms, std::move(done)});
}

void commit_waiters::complete_up_to(offset high_watermark, pv1::PartitionError answer) {
  if (waits_.empty()) return;
  std::vector<wait> keep;
  std::vector<wait> committed;
  for (auto& w : waits_) (w.end_offset <= high_watermark ? committed : keep).push_back(std::move(w));
  waits_ = std::move(keep);
  for (auto& w : committed) w.done(answer);
}

std::int64_t commit_waiters::expire(std::int64_t now_ms) {
  std::vector<wait> keep;
  std::vector<wait> expired;
  std::int64_t next = -1;
  for (auto& w : waits_) {
    if (w.deadline_ms <= now_ms) {
      expired.push_back(std::move(w));
    } else {
      next = next < 0 ? w.deadline_ms : std::min(next, w.deadline_ms);
      keep.push_back(std::move(w));
    }
  }
  waits_ = std::move(keep);
  for (auto& w : expired) w.done(pv1::REQUEST_TIMED_OUT);
  return next;
}

void commit_waiters::fail_all(pv1::PartitionError error) {
  auto pending = std::move(waits_);
  waits_.clear();
  for (auto& w : pending) w.done(error);
}

}  // namespace sluice::partition_server
