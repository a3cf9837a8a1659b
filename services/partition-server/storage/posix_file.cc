#include "services/partition-server/storage/posix_file.h"

#include <cerrno>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace sluice::storage {
namespace {
std::error_code last_error() { return {errno, std::system_category()}; }
}  // namespace

posix_file::~posix_file() { close(); }

posix_file::posix_file(posix_file&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }

posix_file& posix_file::operator=(posix_file&& other) noexcept {
  if (this != &other) {
    close();
    fd_ = other.fd_;
    other.fd_ = -1;
  }
  return *this;
}

result<posix_file> posix_file::open(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return last_error();
  return posix_file(fd);
}

result<void> posix_file::write_at(std::span<const std::byte> data, std::uint64_t offset) {
  while (!data.empty()) {
    const ssize_t n = ::pwrite(fd_, data.data(), data.size(), static_cast<off_t>(offset));
    if (n < 0) {
      if (errno == EINTR) continue;
      return last_error();
    }
    data = data.subspan(static_cast<std::size_t>(n));
    offset += static_cast<std::uint64_t>(n);
  }
  return success();
}

result<std::size_t> posix_file::read_at(std::span<std::byte> data, std::uint64_t offset) const {
  std::size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::pread(fd_, data.data() + done, data.size() - done, static_cast<off_t>(offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return last_error();
    }
    if (n == 0) break;  // end of file
    done += static_cast<std::size_t>(n);
  }
  return done;
}

result<std::vector<std::byte>> posix_file::read_all() const {
  auto total = size();
  if (!total) return total.error();
  std::vector<std::byte> raw(total.value());
  auto n = read_at(raw, 0);
  if (!n) return n.error();
  raw.resize(n.value());
  return raw;
}

result<std::uint64_t> posix_file::size() const {
  struct stat st {};
  if (::fstat(fd_, &st) != 0) return last_error();
  return static_cast<std::uint64_t>(st.st_size);
}

result<void> posix_file::truncate(std::uint64_t size) {
  if (::ftruncate(fd_, static_cast<off_t>(size)) != 0) return last_error();
  return success();
}

result<void> posix_file::sync() {
  if (fd_ < 0) return success();  // closed: nothing buffered through this fd
  if (::fdatasync(fd_) != 0) return last_error();
  return success();
}

void posix_file::close() noexcept {
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
  }
}

result<void> sync_directory(const std::filesystem::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return last_error();
  const int rc = ::fsync(fd);
  const std::error_code ec = rc != 0 ? last_error() : std::error_code{};
  ::close(fd);
  if (ec) return ec;
  return success();
}

result<void> write_file_atomically(const std::filesystem::path& path, std::span<const std::byte> bytes, bool sync) {
  auto tmp = path;
  tmp += ".tmp";
  {
    auto f = posix_file::open(tmp);
    if (!f) return f.error();
    if (auto r = f.value().truncate(0); !r) return r.error();
    if (auto r = f.value().write_at(bytes, 0); !r) return r.error();
    if (sync) {
      if (auto r = f.value().sync(); !r) return r.error();
    }
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) return ec;
  return sync ? sync_directory(path.parent_path()) : success();
}

}  // namespace sluice::storage
