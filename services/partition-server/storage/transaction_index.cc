#include "services/partition-server/storage/transaction_index.h"

#include <algorithm>

#include "common/base/endian.h"
#include "services/partition-server/storage/log_format.h"

namespace sluice::storage {

static_assert(transaction_index_format::size == log_format::txn_index_entry_size);

aborted_txn transaction_index_format::decode(const std::byte* at) noexcept {
  return {load_be<std::int64_t>(at + 2), offset{load_be<std::int64_t>(at + 10)}, offset{load_be<std::int64_t>(at + 18)},
          offset{load_be<std::int64_t>(at + 26)}};
}

void transaction_index_format::encode(const entry& e, std::byte* at) noexcept {
  store_be(at, version);
  store_be(at + 2, e.producer_id);
  store_be(at + 10, e.first_offset());
  store_be(at + 18, e.last_offset());
  store_be(at + 26, e.last_stable_offset());
}

bool transaction_index_format::readable(const std::byte* at) noexcept { return load_be<std::int16_t>(at) == version; }

result<bool> transaction_index::add(const aborted_txn& txn) {
  if (!entries().empty() && txn.last_offset <= entries().back().last_offset) return false;
  if (auto r = append(txn); !r) return r.error();
  return true;
}

result<void> transaction_index::truncate_from(offset end) {
  const auto& all = entries();
  auto it = std::lower_bound(all.begin(), all.end(), end,
                             [](const aborted_txn& t, offset v) { return t.last_offset < v; });
  if (it == all.end()) return success();
  return truncate(static_cast<std::size_t>(it - all.begin()));
}

bool transaction_index::collect(offset fetch_offset, offset upper_bound, std::vector<aborted_txn>& out) const {
  for (const auto& t : entries()) {
    if (t.last_offset >= fetch_offset && t.first_offset < upper_bound) out.push_back(t);
    if (t.last_stable_offset >= upper_bound) return true;
  }
  return false;
}

}  // namespace sluice::storage
