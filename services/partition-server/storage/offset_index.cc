#include "services/partition-server/storage/offset_index.h"

#include <algorithm>

#include "common/base/endian.h"
#include "services/partition-server/storage/log_format.h"

namespace sluice::storage {

static_assert(offset_index_format::size == log_format::index_entry_size);

offset_index_entry offset_index_format::decode(const std::byte* at) noexcept {
  return {load_be<std::uint32_t>(at), load_be<std::uint32_t>(at + 4)};
}

void offset_index_format::encode(const entry& e, std::byte* at) noexcept {
  store_be(at, e.relative_offset);
  store_be(at + 4, e.position);
}

std::optional<offset_index_entry> offset_index::lookup(std::uint32_t relative_offset) const {
  const auto& entries = this->entries();
  auto it = std::upper_bound(entries.begin(), entries.end(), relative_offset,
                             [](std::uint32_t v, const offset_index_entry& e) { return v < e.relative_offset; });
  if (it == entries.begin()) return std::nullopt;
  return *std::prev(it);
}

}  // namespace sluice::storage
