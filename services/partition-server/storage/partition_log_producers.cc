// partition_log: the producer state's life on disk (producer_snapshot.h) —
// loaded from the newest snapshot and the batches after it, snapshotted at
// each roll and at close, trimmed with retention and truncation.
#include <algorithm>
#include <vector>

#include "common/logging/logger.h"
#include "services/partition-server/storage/partition_log.h"
#include "services/partition-server/storage/producer_snapshot.h"
#include "services/partition-server/storage/segment.h"

namespace sluice::storage {

result<void> partition_log::load_producers() {
  const offset start = log_start_offset();
  std::vector<offset> usable;
  for (offset at : list_producer_snapshots(dir_)) {
    // Past the log end: written before a truncation or a torn tail. Below
    // the log start: its segment went with retention.
    if (at > log_end_offset_ || at < start)
      delete_producer_snapshot(dir_, at);
    else
      usable.push_back(at);
  }
  producers_.clear(start);
  while (!usable.empty()) {
    const offset at = usable.back();
    usable.pop_back();
    auto snap = read_producer_snapshot(dir_, at);
    if (snap.ok()) {
      producers_.load(std::move(snap.producers), at);
      break;
    }
    log_->warn("[{}] ignoring producer snapshot {}: {}", dir_.filename().string(), at, snap.error);
    delete_producer_snapshot(dir_, at);
  }
  if (auto r = replay_producers(producers_.end_offset()); !r) return r.error();
  producers_.set_end_offset(log_end_offset_);
  if (!producers_.producers().empty())
    log_->info("[{}] producer state: {} producer(s) up to offset {}", dir_.filename().string(),
               producers_.producers().size(), log_end_offset_);
  return success();
}

result<void> partition_log::replay_producers(offset from) {
  std::vector<std::byte> batch;
  for (const auto& [base, seg] : segments_) {
    if (seg->next_offset() <= from) continue;
    auto at = seg->locate(from);
    if (!at) return at.error();
    if (!at.value()) continue;
    std::uint64_t pos = at.value()->position;
    while (pos < seg->size()) {
      auto h = seg->header_at(pos);
      if (!h) return h.error();
      if (!h.value()) break;
      batch.resize(h.value()->size);
      auto n = seg->read(pos, batch);
      if (!n) return n.error();
      if (n.value() != batch.size()) break;
      // An abort's .txnindex entry lost with a crash comes back (add is idempotent).
      if (auto done = producers_.observe(batch)) index_abort(*done);
      pos += h.value()->size;
    }
  }
  return success();
}

void partition_log::snapshot_producers(offset at, bool sync) {
  if (auto r = write_producer_snapshot(dir_, at, producers_.producers(), sync); !r)
    log_->warn("[{}] cannot write producer snapshot {}: {}", dir_.filename().string(), at, r.error().message());
}

void partition_log::delete_snapshots_below(offset start) {
  for (offset at : list_producer_snapshots(dir_))
    if (at < start) delete_producer_snapshot(dir_, at);
}

std::size_t partition_log::remove_expired_producers(std::int64_t now_ms, std::int64_t expiration_ms) {
  if (closed_) return 0;
  const std::size_t removed = producers_.remove_expired(now_ms, expiration_ms);
  if (removed > 0)
    log_->info("[{}] {} producer(s) idle for {} ms removed", dir_.filename().string(), removed, expiration_ms);
  return removed;
}

}  // namespace sluice::storage
