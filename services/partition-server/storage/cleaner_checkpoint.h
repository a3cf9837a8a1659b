#pragma once
// Where the log cleaner stopped: the partition's first dirty offset.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string_view>

#include "common/base/result.h"
#include "common/base/types.h"

namespace sluice::storage {

/// `<partition dir>/cleaner-offset-checkpoint`: every record below the
/// offset it holds has been through the cleaner once (the "clean" part of a
/// compacted log), so the dirty ratio only counts what lies above it.
///
/// Kafka keeps one such file per log directory with a line per partition;
/// here each partition directory has its own, in the same text shape: line 1
/// version 0, line 2 the offset. Rewritten atomically (temp, fsync, rename,
/// fsync dir) after each cleaning. A missing or malformed file means "nothing
/// cleaned yet": the next cleaning then maps the whole log once, which costs
/// time but never loses a record.
struct cleaner_checkpoint {
  static constexpr std::string_view file_name = "cleaner-offset-checkpoint";

  static std::optional<offset> load(const std::filesystem::path& dir);
  static result<void> persist(const std::filesystem::path& dir, offset first_dirty_offset);
};

}  // namespace sluice::storage
