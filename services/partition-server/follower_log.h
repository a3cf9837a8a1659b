#pragma once
// What a follower does to its own log with its leader's fetch answers.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "common/base/types.h"
#include "partition.pb.h"

namespace sluice::storage { class partition_log; }

namespace sluice::partition_server {

/// The follower side of one replica's log: append the leader's batches as
/// they are, truncate where the two logs diverged (Kafka's truncation by
/// leader epoch), or move into the leader's offset range. Built by
/// partition_state for one call, on the partition's actor; holds no state
/// (references to the log and the topic name).
/// partition_state decides that the replica follows, and keeps the high
/// watermark (each call may move the log end below it).
class follower_log {
 public:
  /// `topic` and `partition` name the partition in log lines.
  follower_log(storage::partition_log& log, const std::string& topic, std::int32_t partition)
      : log_(log), topic_(topic), partition_(partition) {}

  /// A fetch answer's batches (whole v2 batches, offsets and epochs kept).
  partition::v1::PartitionError append_fetched(std::span<const std::byte> batches, std::int64_t now_ms);
  /// The leader says our log diverged: its `epoch` ends at `end_offset`.
  /// Truncates to that end, or, when this log has no such epoch, to its own
  /// end of the largest epoch below (the next fetch refines it).
  partition::v1::PartitionError truncate_diverging(leader_epoch epoch, offset end_offset);
  /// The fetch was out of the leader's range: below its start, restart the
  /// log empty there; past its end, truncate to it.
  partition::v1::PartitionError reset_to_leader_range(offset leader_start, offset leader_end);
  /// The leader's log start offset, from a fetch answer: ours moves up to it
  /// (DeleteRecords), never past our high watermark `hw`.
  partition::v1::PartitionError follow_log_start(offset leader_log_start, offset hw);

 private:
  storage::partition_log& log_;
  const std::string& topic_;
  std::int32_t partition_;
};

}  // namespace sluice::partition_server
