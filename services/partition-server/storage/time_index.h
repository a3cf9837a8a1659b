#pragma once
// The .timeindex of one segment (format in log_format.h): the largest batch
// max timestamp so far -> the relative offset of the first batch that had it.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <vector>

#include "common/base/result.h"
#include "services/partition-server/storage/index_file.h"

namespace sluice::storage {

struct time_index_entry {
  std::int64_t timestamp = -1;
  std::uint32_t relative_offset = 0;
};

/// How a .timeindex entry is stored: i64 timestamp, i32 relative offset;
/// timestamps grow strictly, relative offsets never shrink.
struct time_index_format {
  using entry = time_index_entry;
  static constexpr std::size_t size = 12;
  static entry decode(const std::byte* at) noexcept;
  static void encode(const entry& e, std::byte* at) noexcept;
  static bool follows(const entry& before, const entry& next) noexcept {
    return next.timestamp > before.timestamp && next.relative_offset >= before.relative_offset;
  }
};

/// Owned by one segment; used on the partition's actor thread only.
/// Invariant: timestamps grow strictly, relative offsets never shrink
/// (maybe_append keeps it; the segment appends through nothing else).
class time_index : public index_file<time_index_format> {
 public:
  /// Appends unless `timestamp` is not above the last entry (then a no-op).
  result<void> maybe_append(std::int64_t timestamp, std::uint32_t relative_offset);
  /// The last entry whose timestamp is < `timestamp`: every batch up to and
  /// including the one it names has max_timestamp below `timestamp`.
  std::optional<time_index_entry> last_below(std::int64_t timestamp) const;
  std::optional<time_index_entry> last() const;
};

}  // namespace sluice::storage
