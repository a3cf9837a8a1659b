#pragma once
// The file half of a segment index (.index, .timeindex; log_format.h):
// fixed-size big-endian entries, kept whole in memory for lookups and
// written through to the file entry by entry, so a kill -9 loses at most the
// entry being written (recovery re-adds it).
#include <cstddef>
#include <filesystem>
#include <vector>

#include "common/base/result.h"
#include "services/partition-server/storage/posix_file.h"

namespace sluice::storage {

/// `Format` says what an entry is and how it is stored:
///   using entry = ...;
///   static constexpr std::size_t size;                       // bytes per entry
///   static entry decode(const std::byte* at);
///   static void encode(const entry& e, std::byte* at);
///   static bool follows(const entry& before, const entry& next);  // the order entries keep
///   static bool readable(const std::byte* at);  // optional: false for an entry this code cannot read
/// Owned by one segment; used on the partition's actor thread only.
template <class Format>
class index_file {
 public:
  using entry = typename Format::entry;

  /// Opens (creating) the file and loads it. `consistent` is false when the
  /// file is not a whole number of entries in order; the entries are then
  /// empty and the caller should rebuild.
  result<void> open(const std::filesystem::path& path, bool& consistent) {
    auto file = posix_file::open(path);
    if (!file) return file.error();
    file_ = std::move(file).value();
    entries_.clear();
    auto read = file_.read_all();
    if (!read) return read.error();
    const auto& raw = read.value();
    consistent = raw.size() % Format::size == 0;
    for (std::size_t at = 0; consistent && at + Format::size <= raw.size(); at += Format::size) {
      if constexpr (requires { Format::readable(raw.data()); }) {
        if (!Format::readable(raw.data() + at)) {
          consistent = false;
          break;
        }
      }
      const entry e = Format::decode(raw.data() + at);
      if (!entries_.empty() && !Format::follows(entries_.back(), e)) consistent = false;
      entries_.push_back(e);
    }
    if (!consistent) entries_.clear();
    return success();
  }

  /// Writes `e` after the last entry (the caller keeps the order).
  result<void> append(const entry& e) {
    std::byte raw[Format::size];
    Format::encode(e, raw);
    if (auto r = file_.write_at(raw, entries_.size() * Format::size); !r) return r.error();
    entries_.push_back(e);
    return success();
  }

  /// Keeps the first `count` entries.
  result<void> truncate(std::size_t count) {
    if (count > entries_.size()) count = entries_.size();
    entries_.resize(count);
    return file_.truncate(count * Format::size);
  }

  const std::vector<entry>& entries() const noexcept { return entries_; }
  result<void> sync() { return file_.sync(); }
  void close() noexcept { file_.close(); }

 private:
  posix_file file_;
  std::vector<entry> entries_;
};

}  // namespace sluice::storage
