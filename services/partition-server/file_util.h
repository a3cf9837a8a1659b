#pragma once
// Small durable-file helpers shared by identity and log_dir.
#include <filesystem>
#include <string>
#include <string_view>

#include "common/base/result.h"

namespace sluice::partition_server {

/// Writes `contents` to dir/name.tmp, fsyncs it, renames it over dir/name
/// and fsyncs dir: after a crash the file is either old or new, never torn.
/// Creates `dir` if needed.
result<void> write_file_atomically(const std::filesystem::path& dir, std::string_view name,
                                   std::string_view contents);

/// The whole file as a string.
result<std::string> read_small_file(const std::filesystem::path& file);

}  // namespace sluice::partition_server
