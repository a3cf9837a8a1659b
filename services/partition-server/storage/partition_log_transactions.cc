// partition_log's transaction index: where an abort's entry goes, which
// aborts a read_committed fetch must hear about, and the rebuild of a
// .txnindex that was lost or torn. Format in log_format.h, the entry and its
// search in transaction_index.h.
#include "services/partition-server/storage/partition_log.h"

#include <algorithm>
#include <map>
#include <optional>
#include <system_error>
#include <vector>

#include "common/protocol/control_record.h"
#include "common/protocol/record_batch_view.h"
#include "services/partition-server/storage/segment.h"

namespace sluice::storage {

result<void> partition_log::add_aborted_txn(const aborted_txn& txn) {
  if (closed_) return std::make_error_code(std::errc::bad_file_descriptor);
  auto it = segments_.upper_bound(txn.last_offset);
  if (it == segments_.begin()) return std::make_error_code(std::errc::invalid_argument);
  auto added = std::prev(it)->second->add_aborted(txn);
  if (!added) return added.error();
  return success();
}

void partition_log::index_abort(const completed_txn& txn) {
  if (!txn.aborted) return;
  offset lso = txn.last_offset + 1;
  for (const auto& [pid, e] : producers_.producers())
    if (e.txn_first_offset && pid != txn.producer_id) lso = std::min(lso, *e.txn_first_offset);
  if (auto r = add_aborted_txn({txn.producer_id, txn.first_offset, txn.last_offset, lso}); !r)
    log_->warn("[{}] cannot index the abort of producer {} at {}: {}", dir_.filename().string(), txn.producer_id,
               txn.last_offset, r.error().message());
}

std::vector<aborted_txn> partition_log::collect_aborted(offset from, offset upper_bound) const {
  std::vector<aborted_txn> out;
  if (closed_ || from >= upper_bound) return out;
  auto it = segments_.upper_bound(from);
  if (it != segments_.begin()) --it;
  for (; it != segments_.end(); ++it) {
    if (it->second->transactions().collect(from, upper_bound, out)) break;
  }
  return out;
}

read_result partition_log::read_committed(offset from, std::int32_t max_bytes, bool min_one,
                                          const std::function<std::span<std::byte>(std::size_t)>& sink,
                                          offset last_stable_offset, std::vector<aborted_txn>& aborted) {
  std::span<std::byte> given;
  auto r = read(
      from, max_bytes, min_one,
      [&](std::size_t n) {
        given = sink(n);
        return given;
      },
      last_stable_offset);
  // The end of what was returned: one past the last whole batch read in.
  offset end = from;
  protocol::batch_iterator it(given.first(std::min(r.bytes, given.size())));
  while (auto b = it.next()) end = offset{protocol::batch_header(*b).next_offset()};
  if (end > from) aborted = collect_aborted(from, end);
  return r;
}

result<void> partition_log::rebuild_transaction_indexes(const std::vector<offset>& stale) {
  // Kafka rebuilds from its producer-state snapshot; the walk from the log
  // start needs none. Only batch headers are read, and the one record of
  // each control batch. Open transactions: producer id -> first offset.
  const std::string name = dir_.filename().string();
  std::map<std::int64_t, offset> open;
  std::map<offset, std::vector<aborted_txn>> rebuilt;
  for (offset base : stale) rebuilt[base];
  const offset last_stale = stale.back();
  std::vector<std::byte> buf;
  for (const auto& [base, seg] : segments_) {
    if (base > last_stale) break;
    std::uint64_t pos = 0;
    while (pos < seg->size()) {
      auto h = seg->header_at(pos);
      if (!h) return h.error();
      if (!h.value()) break;
      const batch_location b = *h.value();
      pos += b.size;
      if (b.producer_id < 0 || !b.transactional) continue;
      if (!b.control) {
        open.try_emplace(b.producer_id, b.base_offset);
        continue;
      }
      buf.resize(b.size);
      auto n = seg->read(b.position, buf);
      if (!n) return n.error();
      if (n.value() != buf.size()) break;
      const auto marker = protocol::read_txn_marker(buf).marker;
      auto txn = open.find(b.producer_id);
      if (!marker || txn == open.end()) continue;  // a marker with nothing open closes nothing (Kafka)
      const offset first = txn->second;
      open.erase(txn);
      if (marker->type != protocol::control_type::abort) continue;
      // Kafka's lastStableOffset(completedTxn): the first offset of another
      // open transaction, else just past the marker.
      offset lso = b.last_offset + 1;
      for (const auto& [pid, f] : open) lso = std::min(lso, f);
      if (auto r = rebuilt.find(base); r != rebuilt.end())
        r->second.push_back({b.producer_id, first, b.last_offset, lso});
    }
  }
  for (auto& [base, txns] : rebuilt) {
    if (auto r = segments_.at(base)->rewrite_transactions(txns); !r) return r.error();
    log_->info("[{}] rebuilt the transaction index of segment {}: {} aborted transaction(s)", name, base, txns.size());
  }
  return success();
}

}  // namespace sluice::storage
