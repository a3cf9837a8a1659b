#include "services/partition-server/file_util.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

namespace sluice::partition_server {

namespace fs = std::filesystem;

namespace {

std::error_code last_error() { return {errno, std::generic_category()}; }

/// Closes the descriptor on every path out of a function.
struct fd_guard {
  int fd = -1;
  ~fd_guard() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

result<void> write_file_atomically(const fs::path& dir, std::string_view name, std::string_view contents) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return ec;
  const fs::path tmp = dir / (std::string(name) + ".tmp");
  {
    fd_guard f{::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)};
    if (f.fd < 0) return last_error();
    std::size_t done = 0;
    while (done < contents.size()) {
      ssize_t n = ::write(f.fd, contents.data() + done, contents.size() - done);
      if (n < 0) {
        if (errno == EINTR) continue;
        return last_error();
      }
      done += static_cast<std::size_t>(n);
    }
    if (::fsync(f.fd) != 0) return last_error();
  }
  fs::rename(tmp, dir / name, ec);
  if (ec) return ec;
  fd_guard d{::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)};
  if (d.fd >= 0) ::fsync(d.fd);  // best effort: the rename itself is what matters
  return success();
}

result<std::string> read_small_file(const fs::path& file) {
  fd_guard f{::open(file.c_str(), O_RDONLY | O_CLOEXEC)};
  if (f.fd < 0) return last_error();
  std::string out;
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(f.fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return last_error();
    }
    if (n == 0) break;
    out.append(buf, static_cast<std::size_t>(n));
    if (out.size() > (1u << 20)) return std::make_error_code(std::errc::file_too_large);
  }
  return out;
}

}  // namespace sluice::partition_server
