#include "services/partition-server/storage/time_index.h"

#include <algorithm>

#include "common/base/endian.h"
#include "services/partition-server/storage/log_format.h"

namespace sluice::storage {

constexpr std::size_t kEntry = log_format::time_index_entry_size;

result<void> time_index::open(const std::filesystem::path& path, bool& consistent) {
  auto file = posix_file::open(path);
  if (!file) return file.error();
  file_ = std::move(file).value();
  entries_.clear();
  auto read = file_.read_all();
  if (!read) return read.error();
  const auto& raw = read.value();
  consistent = raw.size() % kEntry == 0;
  for (std::size_t at = 0; consistent && at + kEntry <= raw.size(); at += kEntry) {
    const time_index_entry e{load_be<std::int64_t>(raw.data() + at), load_be<std::uint32_t>(raw.data() + at + 8)};
    if (!entries_.empty() &&
        (e.timestamp <= entries_.back().timestamp || e.relative_offset < entries_.back().relative_offset))
      consistent = false;
    entries_.push_back(e);
  }
  if (!consistent) entries_.clear();
  return success();
}

result<void> time_index::maybe_append(std::int64_t timestamp, std::uint32_t relative_offset) {
  if (!entries_.empty() && timestamp <= entries_.back().timestamp) return success();
  std::byte raw[kEntry];
  store_be(raw, timestamp);
  store_be(raw + 8, relative_offset);
  if (auto r = file_.write_at(raw, entries_.size() * kEntry); !r) return r.error();
  entries_.push_back({timestamp, relative_offset});
  return success();
}

std::optional<time_index_entry> time_index::last_below(std::int64_t timestamp) const {
  auto it = std::lower_bound(entries_.begin(), entries_.end(), timestamp,
                             [](const time_index_entry& e, std::int64_t v) { return e.timestamp < v; });
  if (it == entries_.begin()) return std::nullopt;
  return *std::prev(it);
}

std::optional<time_index_entry> time_index::last() const {
  if (entries_.empty()) return std::nullopt;
  return entries_.back();
}

result<void> time_index::truncate(std::size_t count) {
  if (count > entries_.size()) count = entries_.size();
  entries_.resize(count);
  return file_.truncate(count * kEntry);
}

}  // namespace sluice::storage
