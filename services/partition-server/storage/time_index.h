#pragma once
// The .timeindex of one segment (format in log_format.h): in memory for
// lookups, written through to the file.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <vector>

#include "common/base/result.h"
#include "services/partition-server/storage/posix_file.h"

namespace sluice::storage {

struct time_index_entry {
  std::int64_t timestamp = -1;
  std::uint32_t relative_offset = 0;
};

/// Owned by one segment; used on the partition's actor thread only.
/// Invariant: timestamps grow strictly, relative offsets never shrink.
class time_index {
 public:
  /// As offset_index::open.
  result<void> open(const std::filesystem::path& path, bool& consistent);
  /// Appends unless `timestamp` is not above the last entry (then a no-op).
  result<void> maybe_append(std::int64_t timestamp, std::uint32_t relative_offset);
  /// The last entry whose timestamp is < `timestamp`: every batch up to and
  /// including the one it names has max_timestamp below `timestamp`.
  std::optional<time_index_entry> last_below(std::int64_t timestamp) const;
  std::optional<time_index_entry> last() const;
  result<void> truncate(std::size_t count);
  const std::vector<time_index_entry>& entries() const noexcept { return entries_; }
  result<void> sync() { return file_.sync(); }
  void close() noexcept { file_.close(); }

 private:
  posix_file file_;
  std::vector<time_index_entry> entries_;
};

}  // namespace sluice::storage
