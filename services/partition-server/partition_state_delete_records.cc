// partition_state's DeleteRecords (Kafka's Partition.deleteRecordsOnLeader
// and the low watermark DelayedDeleteRecords waits for): the leader moves
// its log start, then answers once its ISR followed.
#include <string>

#include "services/partition-server/logger.h"
#include "services/partition-server/partition_state.h"
#include "services/partition-server/storage/partition_log.h"

namespace sluice::partition_server {

deletion_outcome partition_state::delete_records(offset requested) {
  deletion_outcome out;
  out.error = check_leader(no_leader_epoch);
  if (out.error != pv1::PARTITION_OK) return out;
  const std::string name = topic_ + "-" + std::to_string(partition_);
  if (!cfg_.cleanup_delete) {
    out.error = pv1::INVALID_REQUEST;
    out.policy_violation = true;
    out.message = "Records of partition " + name + " can not be deleted due to the configured policy";
    return out;
  }
  const offset target = requested == offset{-1} ? hw_ : requested;
  if (target < offset{0} || target > hw_) {
    out.error = pv1::OFFSET_OUT_OF_RANGE;
    out.message = target < offset{0}
                      ? "The offset " + std::to_string(target()) + " for partition " + name + " is not valid"
                      : "Cannot increment the log start offset to " + std::to_string(target()) + " of partition " +
                            name + " since it is larger than the high watermark " + std::to_string(hw_());
    return out;
  }
  if (auto r = log_->increment_log_start_offset(target); !r) {
    out.error = pv1::STORAGE_ERROR;
    out.message = "cannot move the log start offset: " + r.error().message();
    log()->warn("[{}/{}] {}", topic_, partition_, out.message);
    return out;
  }
  out.requested = target;
  return out;
}

offset partition_state::low_watermark() const {
  if (!leader_ || !log_) return no_offset;
  return tracker_.low_watermark(log_->log_start_offset());
}

void partition_state::await_low_watermark(offset target, std::int64_t deadline_ms, deletion_callback done) {
  if (!leader_ || !log_) {
    done(pv1::NOT_LEADER, no_offset);
    return;
  }
  // The callbacks run inside this object's calls (complete, expire,
  // fail_all), so `this` is alive when they read the low watermark.
  deletions_.add(target, deadline_ms, [this, done = std::move(done)](pv1::PartitionError e) {
    done(e, e == pv1::PARTITION_OK ? low_watermark() : no_offset);
  });
  maybe_complete_deletions();
}

void partition_state::maybe_complete_deletions() {
  if (deletions_.empty()) return;
  const offset low = low_watermark();
  if (low != no_offset) deletions_.complete_up_to(low, pv1::PARTITION_OK);
}

}  // namespace sluice::partition_server
