#pragma once
// A file descriptor with the few POSIX calls the log needs. Errors come back
// as std::error_code (errno, system_category); nothing throws.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <vector>

#include "common/base/result.h"

namespace sluice::storage {

/// Owns one fd (closed on destruction). Positional I/O only (pread/pwrite),
/// so the file offset never matters and readers never disturb the writer.
class posix_file {
 public:
  posix_file() = default;
  ~posix_file();
  posix_file(posix_file&& other) noexcept;
  posix_file& operator=(posix_file&& other) noexcept;
  posix_file(const posix_file&) = delete;
  posix_file& operator=(const posix_file&) = delete;

  /// Opens read-write, creating the file when missing.
  static result<posix_file> open(const std::filesystem::path& path);

  bool is_open() const noexcept { return fd_ >= 0; }
  /// Writes all of `data` at `offset` (retrying short writes and EINTR).
  result<void> write_at(std::span<const std::byte> data, std::uint64_t offset);
  /// Reads up to data.size() bytes at `offset`; fewer only at end of file.
  result<std::size_t> read_at(std::span<std::byte> data, std::uint64_t offset) const;
  /// The whole file (what was there when size() was asked).
  result<std::vector<std::byte>> read_all() const;
  result<std::uint64_t> size() const;
  result<void> truncate(std::uint64_t size);
  /// fdatasync; a no-op on a closed file.
  result<void> sync();
  void close() noexcept;

 private:
  explicit posix_file(int fd) noexcept : fd_(fd) {}
  int fd_ = -1;
};

/// fsync of a directory, so newly created files survive a power loss.
result<void> sync_directory(const std::filesystem::path& dir);

/// Replaces `path` with `bytes` so that a crash leaves either the old or the
/// new content: write `<path>.tmp`, fdatasync, rename over `path`, fsync the
/// directory. For small checkpoint files. Without `sync` only the rename
/// keeps readers from a half-written file (a power loss may leave a torn
/// one: for files whose readers check them, e.g. producer snapshots).
result<void> write_file_atomically(const std::filesystem::path& path, std::span<const std::byte> bytes,
                                   bool sync = true);

}  // namespace sluice::storage
