#pragma once
// One offset a partition keeps across restarts, in a small file of its
// directory: where the cleaner stopped, where the log starts.
#include <filesystem>
#include <optional>
#include <string_view>

#include "common/base/result.h"
#include "common/base/types.h"

namespace sluice::storage {

/// `<partition dir>/<name>` holding one offset. Kafka keeps such
/// checkpoints one file per log directory with a line per partition; here
/// each partition directory has its own, in the same text shape: line 1
/// version 0, line 2 the offset. Rewritten atomically (temp, fsync, rename,
/// fsync dir). A missing or malformed file loads as nullopt and each user
/// says what that means:
/// - `cleaner`: every record below the offset has been through the cleaner
///   once (the "clean" part of a compacted log), so the dirty ratio only
///   counts what lies above it. Missing: nothing cleaned yet (the next
///   cleaning maps the whole log once, which costs time, never a record).
/// - `log_start`: the log start offset when DeleteRecords (or a follower
///   following its leader) moved it into a segment, past that segment's
///   base offset. Missing: the first segment's base offset, as before any
///   deletion.
struct offset_checkpoint {
  static constexpr std::string_view cleaner = "cleaner-offset-checkpoint";
  static constexpr std::string_view log_start = "log-start-offset-checkpoint";

  static std::optional<offset> load(const std::filesystem::path& dir, std::string_view name);
  static result<void> persist(const std::filesystem::path& dir, std::string_view name, offset value);
};

}  // namespace sluice::storage
