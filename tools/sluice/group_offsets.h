#pragma once
// Offsets a consumer group is measured by: what it committed
// (OffsetFetch), where each log starts and ends (ListOffsets), which offset
// a time corresponds to, and changing the committed offsets (OffsetCommit
// from outside the group).
#include <librdkafka/rdkafka.h>

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "tools/sluice/cli_result.h"

namespace sluice::tools {

using topic_partition = std::pair<std::string, std::int32_t>;
using offset_map = std::map<topic_partition, std::int64_t>;

/// Every offset the group has committed (partitions without one are absent).
cli_result<offset_map> fetch_committed_offsets(rd_kafka_t* rk, const std::string& group, int timeout_ms);

/// [start, end) of one partition's log; `error` is set when it could not be read.
struct log_range {
  std::int64_t start = -1;
  std::int64_t end = -1;
  std::string error;
};

/// The log range of each partition; a failure is per partition, since one
/// unreadable partition should not hide the others in `describe`.
std::map<topic_partition, log_range> fetch_log_ranges(rd_kafka_t* rk, const std::vector<topic_partition>& partitions,
                                                      int timeout_ms);

/// The first offset whose timestamp is at or after `timestamp_ms`, per
/// partition; -1 where no record is that recent.
cli_result<offset_map> fetch_offsets_for_time(rd_kafka_t* rk, const std::vector<topic_partition>& partitions,
                                              std::int64_t timestamp_ms, int timeout_ms);

/// Commits `offsets` for `group` as an admin (AlterConsumerGroupOffsets);
/// any partition's error fails the whole call, listing every failed one.
cli_result<void> alter_committed_offsets(rd_kafka_t* rk, const std::string& group, const offset_map& offsets,
                                         int timeout_ms);

/// Every partition of the named topics (Metadata), sorted; an unknown topic
/// is an error.
cli_result<std::vector<topic_partition>> topic_partitions(rd_kafka_t* rk, const std::vector<std::string>& topics,
                                                          int timeout_ms);

}  // namespace sluice::tools
