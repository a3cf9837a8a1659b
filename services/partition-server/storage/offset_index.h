#pragma once
// The sparse .index of one segment (format in log_format.h): kept whole in
// memory for lookups, written through to the file entry by entry so a kill -9
// loses at most the entry being written (recovery re-adds it).
#include <cstdint>
#include <filesystem>
#include <optional>
#include <vector>

#include "common/base/result.h"
#include "services/partition-server/storage/posix_file.h"

namespace sluice::storage {

struct offset_index_entry {
  std::uint32_t relative_offset = 0;
  std::uint32_t position = 0;
};

/// Owned by one segment; used on the partition's actor thread only.
/// Invariant: entries grow strictly in relative_offset and position.
class offset_index {
 public:
  /// Opens (creating) the file and loads it. `consistent` is false when the
  /// file was not a whole number of strictly growing entries; the entries are
  /// then empty and the caller should rebuild.
  result<void> open(const std::filesystem::path& path, bool& consistent);
  result<void> append(std::uint32_t relative_offset, std::uint32_t position);
  /// The last entry whose relative offset is <= `relative_offset`.
  std::optional<offset_index_entry> lookup(std::uint32_t relative_offset) const;
  /// Keeps the first `count` entries.
  result<void> truncate(std::size_t count);
  const std::vector<offset_index_entry>& entries() const noexcept { return entries_; }
  result<void> sync() { return file_.sync(); }
  void close() noexcept { file_.close(); }

 private:
  posix_file file_;
  std::vector<offset_index_entry> entries_;
};

}  // namespace sluice::storage
