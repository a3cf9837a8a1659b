#pragma once
// The sparse .index of one segment (format in log_format.h): relative offset
// -> position of a batch, one entry per index.interval.bytes.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <vector>

#include "common/base/result.h"
#include "services/partition-server/storage/index_file.h"

namespace sluice::storage {

struct offset_index_entry {
  std::uint32_t relative_offset = 0;
  std::uint32_t position = 0;
};

/// How an .index entry is stored: i32 relative offset, i32 position; both
/// grow strictly from entry to entry.
struct offset_index_format {
  using entry = offset_index_entry;
  static constexpr std::size_t size = 8;
  static entry decode(const std::byte* at) noexcept;
  static void encode(const entry& e, std::byte* at) noexcept;
  static bool follows(const entry& before, const entry& next) noexcept {
    return next.relative_offset > before.relative_offset && next.position > before.position;
  }
};

/// Owned by one segment; used on the partition's actor thread only.
/// Invariant: entries grow strictly in relative_offset and position.
class offset_index : public index_file<offset_index_format> {
 public:
  result<void> append(std::uint32_t relative_offset, std::uint32_t position) {
    return index_file::append({relative_offset, position});
  }
  /// The last entry whose relative offset is <= `relative_offset`.
  std::optional<offset_index_entry> lookup(std::uint32_t relative_offset) const;
};

}  // namespace sluice::storage
