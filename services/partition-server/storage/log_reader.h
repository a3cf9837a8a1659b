#pragma once
// Reads of one partition log: whole batches from an offset up to a byte
// budget and a bound, and the timestamp lookups behind ListOffsets.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <span>

#include <spdlog/logger.h>

#include "common/base/types.h"

namespace sluice::storage {

class segment;

/// A log's segments by base offset (partition_log owns them).
using segment_map = std::map<offset, std::unique_ptr<segment>>;

struct read_result {
  bool offset_out_of_range = false;
  offset log_start_offset{0};
  offset log_end_offset{0};               // = high watermark at replication factor 1
  std::size_t bytes = 0;                  // bytes handed to the sink
};

struct offset_and_timestamp {
  sluice::offset offset = no_offset;
  std::int64_t timestamp = -1;
};

/// Reads over a log's segments; built by partition_log for one call, on the
/// partition's actor thread, and holds nothing beyond it (references to the
/// log's segments and directory). Never changes a segment.
class log_reader {
 public:
  using sink = std::function<std::span<std::byte>(std::size_t)>;

  /// `dir` names the log in error lines. `log_start_offset` is the log's
  /// (at or above the first segment's base: DeleteRecords moves it).
  log_reader(const segment_map& segments, offset log_start_offset, offset log_end_offset, spdlog::logger& log,
             const std::filesystem::path& dir)
      : segments_(segments), log_start_offset_(log_start_offset), log_end_offset_(log_end_offset), log_(log),
        dir_(dir) {}

  /// partition_log::read: whole batches from the one holding `from`, at
  /// most `max_bytes` (the first even if larger with `min_one`, KIP-74),
  /// never the batch holding `upper_bound` or any after it; one sink call.
  read_result read(offset from, std::int32_t max_bytes, bool min_one, const sink& into, offset upper_bound) const;
  /// First offset whose timestamp >= ts (batch max_timestamp via .timeindex then scan), or {-1,-1}.
  offset_and_timestamp offset_for_timestamp(std::int64_t ts) const;
  /// Offset and timestamp of the record with the largest timestamp, or {-1,-1}.
  offset_and_timestamp max_timestamp() const;

 private:
  offset log_start_offset() const { return log_start_offset_; }
  /// Finds, within one batch, the first record at offset >= `from` with
  /// timestamp >= ts (`from`: a batch may straddle the log start).
  offset_and_timestamp first_record_at_or_after(const segment& seg, std::uint64_t position, std::uint32_t size,
                                                std::int64_t ts, offset from = offset{0}) const;

  const segment_map& segments_;
  offset log_start_offset_;
  offset log_end_offset_;
  spdlog::logger& log_;
  const std::filesystem::path& dir_;
};

}  // namespace sluice::storage
