#pragma once
// DATA/identity: the node id the coordinator gave this partition server on
// its first registration, so a restart asks for (and gets back) the same id
// and with it the same partitions.
//
// Format: the decimal node id and a newline. Written to identity.tmp, fsynced
// and renamed over identity, so a crash leaves the old or the new file,
// never a torn one.
#include <cstdint>
#include <filesystem>
#include <optional>

#include "common/base/result.h"

namespace sluice::partition_server {

/// The stored node id; nullopt when there is no file (first start). An
/// unreadable or malformed file is an error: guessing an id could hand this
/// server another server's partitions.
result<std::optional<std::int32_t>> read_identity(const std::filesystem::path& data_dir);

/// Stores `node_id` durably (creates data_dir if needed).
result<void> write_identity(const std::filesystem::path& data_dir, std::int32_t node_id);

}  // namespace sluice::partition_server
