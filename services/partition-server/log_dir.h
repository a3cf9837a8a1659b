#pragma once
// Where a replica's log lives and which topic incarnation it belongs to.
//
//   DATA/<topic>-<partition>/              one directory per hosted replica
//   DATA/<topic>-<partition>/partition.metadata
//       version: 0
//       topic_id: <32 lowercase hex digits>
//
// Topic names cannot contain '/', and the partition is the text after the
// last '-', so the name is unambiguous. The topic id tells a directory left by
// a deleted topic apart from one of a new topic with the same name: such a
// directory is wiped before the new log opens in it.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/base/result.h"

namespace sluice::partition_server {

/// "<topic>-<partition>" under data_dir.
std::filesystem::path log_dir_path(const std::filesystem::path& data_dir, std::string_view topic,
                                   std::int32_t partition);

/// 16 raw bytes -> 32 lowercase hex digits.
std::string topic_id_hex(std::string_view raw_id);

/// The topic id (raw bytes) stored in dir/partition.metadata; nullopt when
/// the file is missing or unreadable.
std::optional<std::string> read_partition_metadata(const std::filesystem::path& dir);

/// Makes `dir` ready for the log of topic incarnation `raw_topic_id`: wipes
/// it when it holds another incarnation (or no partition.metadata, i.e. a
/// creation that crashed half way), creates it, and writes partition.metadata.
/// Returns true when an old directory was wiped.
result<bool> prepare_log_dir(const std::filesystem::path& dir, std::string_view raw_topic_id);

/// A replica directory found on disk.
struct found_log_dir {
  std::filesystem::path path;
  std::string topic;
  std::int32_t partition = -1;
  std::string topic_id;  // raw bytes from partition.metadata
};

/// Every "<topic>-<partition>" directory under data_dir with a readable
/// partition.metadata. Anything else (identity, stray files) is ignored.
std::vector<found_log_dir> scan_log_dirs(const std::filesystem::path& data_dir);

}  // namespace sluice::partition_server
