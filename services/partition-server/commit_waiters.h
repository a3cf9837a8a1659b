#pragma once
// The acks=all appends of one partition waiting for the high watermark to
// pass them (Kafka's produce purgatory); also its DeleteRecords entries
// waiting for the low watermark (Kafka's DelayedDeleteRecords).
#include <cstdint>
#include <functional>
#include <vector>

#include "common/base/types.h"
#include "partition.pb.h"

namespace sluice::partition_server {

/// Called once when an acks=all append is committed (OK), fails, or times out.
using commit_callback = std::function<void(partition::v1::PartitionError)>;

/// Waits in append order, each answered exactly once: when the high
/// watermark reaches its end offset (complete_up_to), at its deadline
/// (expire), or all at once (fail_all: leadership lost, partition closed).
/// What a commit answers (OK, or NOT_ENOUGH_REPLICAS_AFTER_APPEND when the
/// ISR shrank below min.insync.replicas) is partition_state's decision.
/// Owned by one partition_state; not thread-safe. Callbacks may run
/// anything, so each is called after the wait left the list.
class commit_waiters {
 public:
  /// Parks `done` until the high watermark reaches `end_offset` (one past
  /// the append's last offset) or `deadline_ms`.
  void add(offset end_offset, std::int64_t deadline_ms, commit_callback done);
  /// The high watermark moved to `high_watermark`: answers, with `answer`,
  /// every wait it reached.
  void complete_up_to(offset high_watermark, partition::v1::PartitionError answer);
  /// Answers the waits whose deadline passed with REQUEST_TIMED_OUT; returns
  /// the next deadline (-1: none left).
  std::int64_t expire(std::int64_t now_ms);
  /// Answers every wait with `error`.
  void fail_all(partition::v1::PartitionError error);
  bool empty() const noexcept { return waits_.empty(); }

 private:
  struct wait {
    offset end_offset;
    std::int64_t deadline_ms;
    commit_callback done;
  };
  std::vector<wait> waits_;  // in append order, so by end offset
};

}  // namespace sluice::partition_server
