#include "services/partition-server/follower_log.h"

#include <algorithm>

#include "services/partition-server/errors.h"
#include "services/partition-server/logger.h"
#include "services/partition-server/storage/partition_log.h"

namespace sluice::partition_server {

namespace pv1 = sluice::partition::v1;

pv1::PartitionError follower_log::append_fetched(std::span<const std::byte> batches, std::int64_t now_ms) {
  auto r = log_.append_replicated(batches, now_ms);
  if (r.error == protocol::append_errc::ok) return pv1::PARTITION_OK;
  log()->warn("[{}/{}] replicated append failed: {}", topic_, partition_, r.message);
  return map_append_error(r.error);
}

pv1::PartitionError follower_log::truncate_diverging(leader_epoch epoch, offset end_offset) {
  const offset leo = log_.log_end_offset();
  auto mine = log_.end_offset_for_epoch(epoch);
  offset target;
  if (epoch < leader_epoch{0} || mine.epoch == no_leader_epoch)
    target = std::min(std::max(end_offset, offset{0}), leo);
  else if (mine.epoch != epoch)
    target = std::min(mine.end_offset, leo);  // another round will refine it
  else
    target = std::min(end_offset, mine.end_offset);
  log()->info("[{}/{}] log diverged from the leader at epoch {} (leader ends it at {}): truncating {} -> {}", topic_,
              partition_, epoch, end_offset, leo, target);
  if (auto r = log_.truncate_to(target); !r) {
    log()->error("[{}/{}] truncation failed: {}", topic_, partition_, r.error().message());
    return pv1::STORAGE_ERROR;
  }
  return pv1::PARTITION_OK;
}

pv1::PartitionError follower_log::reset_to_leader_range(offset leader_start, offset leader_end) {
  const offset leo = log_.log_end_offset();
  result<void> r = success();
  if (leo < leader_start) {
    log()->info("[{}/{}] behind the leader's log start {}: restarting the log there", topic_, partition_, leader_start);
    r = log_.truncate_fully_and_start_at(leader_start);
  } else if (leo > leader_end && leader_end >= offset{0}) {
    log()->info("[{}/{}] ahead of the leader's log end {}: truncating", topic_, partition_, leader_end);
    r = log_.truncate_to(leader_end);
  }
  return r ? pv1::PARTITION_OK : pv1::STORAGE_ERROR;
}

}  // namespace sluice::partition_server

namespace sluice::partition_server {

pv1::PartitionError follower_log::follow_log_start(offset leader_log_start, offset hw) {
  const offset target = std::min(leader_log_start, hw);
  if (target <= log_.log_start_offset()) return pv1::PARTITION_OK;
  if (auto r = log_.increment_log_start_offset(target); !r) {
    log()->error("[{}/{}] cannot follow the leader's log start {}: {}", topic_, partition_, target,
                 r.error().message());
    return pv1::STORAGE_ERROR;
  }
  return pv1::PARTITION_OK;
}

}  // namespace sluice::partition_server
