#pragma once
// Segment file names, built in one place (LevelDB db/filename.h).
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string_view>

#include "common/base/types.h"

namespace sluice::storage {

/// "<dir>/<base_offset as 20 digits><suffix>", e.g. 00000000000000000042.log.
std::filesystem::path segment_file(const std::filesystem::path& dir, offset base_offset, std::string_view suffix);

/// The base offset in a name like 00000000000000000042.log, if `name` is a
/// segment file with `suffix`.
std::optional<offset> parse_segment_file(std::string_view name, std::string_view suffix);

}  // namespace sluice::storage
