#pragma once
// The data directory as DescribeLogDirs reports it: Kafka answers one result
// per log directory, and a partition server has one, its --data-dir.
#include <cstdint>
#include <filesystem>
#include <string>

namespace sluice::partition_server {

/// What a look at the data directory found. `error` empty: readable, and
/// the byte counts are its volume's (statvfs); else why it cannot be read
/// (Kafka's KAFKA_STORAGE_ERROR for the directory) and the counts are -1.
struct data_dir_usage {
  std::string path;               // absolute, as Kafka's DescribeLogDirsResult.LogDir
  std::int64_t total_bytes = -1;  // the volume's size
  std::int64_t usable_bytes = -1; // free for an unprivileged writer (Java's FileStore.getUsableSpace)
  std::string error;
};

/// Opens `dir` as a directory and asks statvfs about its volume. Cheap (two
/// system calls), so the RPC threads may call it.
data_dir_usage inspect_data_dir(const std::filesystem::path& dir);

}  // namespace sluice::partition_server
