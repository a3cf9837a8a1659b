#include "services/partition-server/storage/time_index.h"

#include <algorithm>

#include "common/base/endian.h"
#include "services/partition-server/storage/log_format.h"

namespace sluice::storage {

static_assert(time_index_format::size == log_format::time_index_entry_size);

time_index_entry time_index_format::decode(const std::byte* at) noexcept {
  return {load_be<std::int64_t>(at), load_be<std::uint32_t>(at + 8)};
}

void time_index_format::encode(const entry& e, std::byte* at) noexcept {
  store_be(at, e.timestamp);
  store_be(at + 8, e.relative_offset);
}

result<void> time_index::maybe_append(std::int64_t timestamp, std::uint32_t relative_offset) {
  if (!entries().empty() && timestamp <= entries().back().timestamp) return success();
  return index_file::append({timestamp, relative_offset});
}

std::optional<time_index_entry> time_index::last_below(std::int64_t timestamp) const {
  auto it = std::lower_bound(entries().begin(), entries().end(), timestamp,
                             [](const time_index_entry& e, std::int64_t v) { return e.timestamp < v; });
  if (it == entries().begin()) return std::nullopt;
  return *std::prev(it);
}

std::optional<time_index_entry> time_index::last() const {
  if (entries().empty()) return std::nullopt;
  return entries().back();
}

}  // namespace sluice::storage
