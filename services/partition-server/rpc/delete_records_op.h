#pragma once
// DeleteRecords RPC: each partition's leader moves its log start offset and
// answers once its ISR followed (Kafka's DelayedDeleteRecords).
#include <cstdint>
#include <memory>

#include "common/messaging/methods.h"
#include "partition.pb.h"
#include "services/partition-server/actors/type_ids.h"
#include "services/partition-server/rpc/per_partition_op.h"

namespace sluice::partition_server {

class partition_state;

/// One DeleteRecordsRequest in flight. Each partition's actor moves the log
/// start (partition_state::delete_records) and then waits for the low
/// watermark (the ISR's smallest log start) to reach it; the entry answers
/// OK with that low watermark, REQUEST_TIMED_OUT at `timeout_ms`, or the
/// refusal. The last entry to complete replies, in request order.
///
/// Created on an NNG thread by start(); answer_at() runs in partition
/// actors, concurrently for different entries, each touching only its own.
class delete_records_op
    : public per_partition_op<delete_records_op, partition::v1::DeleteRecordsRequest,
                              partition::v1::DeleteRecordsResponse, messaging::method::delete_records,
                              delete_records_atom>,
      public std::enable_shared_from_this<delete_records_op> {
 public:
  /// Unanswered: no low watermark.
  static void blank(partition::v1::PartitionDeletionResult& r) { r.set_low_watermark(-1); }
  /// Runs entry `index` on `p` (called in p's actor). Returns true when it
  /// waits for the followers (the caller arms a timeout).
  bool answer_at(std::uint32_t index, partition_state& p, std::int64_t now_ms);
  std::int32_t timeout_ms() const noexcept { return header_.timeout_ms(); }

  using per_partition_op::per_partition_op;
};

}  // namespace sluice::partition_server
