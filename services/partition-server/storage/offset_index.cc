#include "services/partition-server/storage/offset_index.h"

#include <algorithm>

#include "common/base/endian.h"
#include "services/partition-server/storage/log_format.h"

namespace sluice::storage {

constexpr std::size_t kEntry = log_format::index_entry_size;

result<void> offset_index::open(const std::filesystem::path& path, bool& consistent) {
  auto file = posix_file::open(path);
  if (!file) return file.error();
  file_ = std::move(file).value();
  entries_.clear();
  auto read = file_.read_all();
  if (!read) return read.error();
  const auto& raw = read.value();
  consistent = raw.size() % kEntry == 0;
  for (std::size_t at = 0; consistent && at + kEntry <= raw.size(); at += kEntry) {
    const offset_index_entry e{load_be<std::uint32_t>(raw.data() + at), load_be<std::uint32_t>(raw.data() + at + 4)};
    if (!entries_.empty() && (e.relative_offset <= entries_.back().relative_offset ||
                              e.position <= entries_.back().position))
      consistent = false;
    entries_.push_back(e);
  }
  if (!consistent) entries_.clear();
  return success();
}

result<void> offset_index::append(std::uint32_t relative_offset, std::uint32_t position) {
  std::byte raw[kEntry];
  store_be(raw, relative_offset);
  store_be(raw + 4, position);
  if (auto r = file_.write_at(raw, entries_.size() * kEntry); !r) return r.error();
  entries_.push_back({relative_offset, position});
  return success();
}

std::optional<offset_index_entry> offset_index::lookup(std::uint32_t relative_offset) const {
  auto it = std::upper_bound(entries_.begin(), entries_.end(), relative_offset,
                             [](std::uint32_t v, const offset_index_entry& e) { return v < e.relative_offset; });
  if (it == entries_.begin()) return std::nullopt;
  return *std::prev(it);
}

result<void> offset_index::truncate(std::size_t count) {
  if (count > entries_.size()) count = entries_.size();
  entries_.resize(count);
  return file_.truncate(count * kEntry);
}

}  // namespace sluice::storage
