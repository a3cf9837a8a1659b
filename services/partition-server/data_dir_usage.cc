#include "services/partition-server/data_dir_usage.h"

#include <fcntl.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <limits>
#include <system_error>

namespace sluice::partition_server {
namespace {

std::string why(const char* call, int err) { return std::string(call) + ": " + std::generic_category().message(err); }

/// Blocks × block size, capped at INT64_MAX: Kafka's adjustForLargeFileSystems
/// answers Long.MAX_VALUE for a volume too large to count in a long.
std::int64_t bytes(std::uint64_t blocks, std::uint64_t block_size) {
  constexpr auto max = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  if (block_size != 0 && blocks > max / block_size) return std::numeric_limits<std::int64_t>::max();
  return static_cast<std::int64_t>(blocks * block_size);
}

}  // namespace

data_dir_usage inspect_data_dir(const std::filesystem::path& dir) {
  data_dir_usage out;
  std::error_code ec;
  const auto absolute = std::filesystem::absolute(dir, ec);
  out.path = (ec ? dir : absolute).string();
  // Readable as a directory: what every replica's log open needs.
  const int fd = ::open(out.path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    out.error = why("open", errno);
    return out;
  }
  struct statvfs vfs {};
  const int rc = ::fstatvfs(fd, &vfs);
  const int err = errno;
  ::close(fd);
  if (rc != 0) {
    out.error = why("statvfs", err);
    return out;
  }
  out.total_bytes = bytes(vfs.f_blocks, vfs.f_frsize);
  out.usable_bytes = bytes(vfs.f_bavail, vfs.f_frsize);
  return out;
}

}  // namespace sluice::partition_server
