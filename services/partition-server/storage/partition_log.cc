#include "services/partition-server/storage/partition_log.h"

#include <algorithm>
#include <system_error>
#include <vector>

#include "common/logging/logger.h"
#include "services/partition-server/storage/file_names.h"
#include "services/partition-server/storage/log_cleaner.h"
#include "services/partition-server/storage/log_format.h"
#include "services/partition-server/storage/offset_checkpoint.h"
#include "services/partition-server/storage/prepared_append.h"
#include "services/partition-server/storage/segment.h"

namespace sluice::storage {

using protocol::append_errc;

namespace {

append_result failure(append_errc e, std::string message, offset log_start) {
  append_result r;
  r.error = e;
  r.message = std::move(message);
  r.log_start_offset = log_start;
  return r;
}

}  // namespace

partition_log::partition_log(std::filesystem::path dir, config::log_config cfg)
    : dir_(dir), cfg_(cfg), log_(logging::get("storage")), epochs_(std::move(dir)) {}

partition_log::~partition_log() { close(); }

result<std::unique_ptr<partition_log>> partition_log::open(std::filesystem::path dir, config::log_config cfg,
                                                          std::int64_t now_ms) {
  std::unique_ptr<partition_log> log(new partition_log(std::move(dir), cfg));
  if (auto r = log->load(now_ms); !r) return r.error();
  return log;
}

result<void> partition_log::load(std::int64_t now_ms) {
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  if (ec) return ec;
  // A cleaning cut short by a crash: finish or drop it before the segments
  // are listed, so they are read as one consistent set.
  if (auto r = recover_cleaner_files(dir_, *log_); !r) return r.error();
  std::vector<offset> bases;
  std::vector<std::filesystem::path> orphans;
  for (const auto& entry : std::filesystem::directory_iterator(dir_, ec)) {
    const std::string name = entry.path().filename().string();
    if (auto base = parse_segment_file(name, log_format::log_suffix)) {
      bases.push_back(*base);
    } else if (auto ib = parse_segment_file(name, log_format::index_suffix)) {
      if (!std::filesystem::exists(segment_file(dir_, *ib, log_format::log_suffix))) orphans.push_back(entry.path());
    } else if (auto tb = parse_segment_file(name, log_format::time_index_suffix)) {
      if (!std::filesystem::exists(segment_file(dir_, *tb, log_format::log_suffix))) orphans.push_back(entry.path());
    } else if (auto xb = parse_segment_file(name, log_format::txn_index_suffix)) {
      if (!std::filesystem::exists(segment_file(dir_, *xb, log_format::log_suffix))) orphans.push_back(entry.path());
    }
  }
  if (ec) return ec;
  for (const auto& p : orphans) {
    log_->info("[{}] removing index without a segment: {}", dir_.filename().string(), p.filename().string());
    std::filesystem::remove(p, ec);
  }
  std::sort(bases.begin(), bases.end());
  if (bases.empty()) {
    bases.push_back(offset{0});
    dir_dirty_ = true;
  }
  std::vector<offset> stale_txn_indexes;
  for (std::size_t i = 0; i < bases.size(); ++i) {
    auto seg = segment::open(dir_, bases[i], cfg_.index_interval_bytes, log_);
    if (!seg) return seg.error();
    const bool last = i + 1 == bases.size();
    if (auto r = last ? seg.value()->recover_tail() : seg.value()->check_indexes(); !r) return r.error();
    auto txns_intact = seg.value()->open_transactions();
    if (!txns_intact) return txns_intact.error();
    if (!txns_intact.value() && !seg.value()->empty()) stale_txn_indexes.push_back(bases[i]);
    if (!last) seg.value()->close_indexes();
    segments_.emplace(bases[i], std::move(seg).value());
  }
  // A batch cut short by the crash must not hide a segment that follows.
  log_end_offset_ = active().next_offset();
  if (!stale_txn_indexes.empty()) {
    if (auto r = rebuild_transaction_indexes(stale_txn_indexes); !r) return r.error();
  }
  // segment.ms counts from the first append, a time not kept on disk: after
  // a restart it counts from the opening.
  if (!active().empty()) active().set_first_append_ms(now_ms);
  if (!epochs_.load()) {
    if (auto r = rebuild_epochs(); !r) return r.error();
  } else if (epochs_.truncate_from_end(log_end_offset_)) {
    // Recovery cut a torn tail that had started a new epoch.
    if (auto r = epochs_.persist(); !r) return r.error();
  }
  // DeleteRecords may have moved the start into the first segment; a log
  // recovered shorter than that starts at its end.
  const offset first_base = segments_.begin()->first;
  log_start_offset_ = std::min(
      std::max(offset_checkpoint::load(dir_, offset_checkpoint::log_start).value_or(first_base), first_base),
      log_end_offset_);
  first_dirty_ = offset_checkpoint::load(dir_, offset_checkpoint::cleaner).value_or(log_start_offset());
  if (auto r = load_producers(); !r) return r.error();
  log_->info("[{}] opened: {} segment(s), offsets {}..{}", dir_.filename().string(), segments_.size(),
             log_start_offset(), log_end_offset_);
  return success();
}

offset partition_log::log_start_offset() const { return log_start_offset_; }

offset partition_log::log_end_offset() const { return log_end_offset_; }

bool partition_log::needs_roll(std::size_t incoming, offset last_offset, std::int64_t now_ms) const {
  const segment& seg = *segments_.rbegin()->second;
  if (seg.empty()) return false;
  if (static_cast<std::int64_t>(seg.size() + incoming) > log_format::segment_size_limit(cfg_.segment_bytes))
    return true;
  if (last_offset - seg.base_offset() > log_format::max_relative_offset) return true;
  if (seg.first_append_ms() >= 0 && now_ms - seg.first_append_ms() >= cfg_.segment_ms) return true;
  if (cfg_.segment_index_bytes > 0 &&
      static_cast<std::int64_t>((seg.index_entries() + 1) * log_format::index_entry_size) > cfg_.segment_index_bytes)
    return true;
  return false;
}

result<void> partition_log::roll(offset base, std::int64_t now_ms) {
  if (auto r = active().seal(); !r) return r.error();
  // Everything below `base` is in the producer state: recovery starts here
  // instead of at the log start (not synced: a torn one is ignored at open).
  producers_.set_end_offset(base);
  snapshot_producers(base, false);
  active().close_indexes();
  auto seg = segment::open(dir_, base, cfg_.index_interval_bytes, log_);
  if (!seg) return seg.error();
  if (auto r = seg.value()->recover_tail(); !r) return r.error();  // opens the (empty) indexes
  if (auto r = seg.value()->open_transactions(); !r) return r.error();
  log_->debug("[{}] rolled to segment {} at {}", dir_.filename().string(), base, now_ms);
  segments_.emplace(base, std::move(seg).value());
  dir_dirty_ = true;
  return success();
}

append_result partition_log::append(std::span<std::byte> batches, leader_epoch epoch, std::int64_t now_ms,
                                    append_origin origin, txn_verification verification) {
  if (closed_) return failure(append_errc::storage_error, "log is closed", log_start_offset());
  auto prepared = prepare_produced(batches, log_end_offset_, epoch, cfg_, now_ms);
  if (prepared.verdict) {
    // Idempotence: the whole request against the producers' sequences and
    // epochs, before anything is written.
    auto check = producers_.check_produce(batches, origin, verification);
    if (!check.verdict) {
      prepared.verdict = std::move(check.verdict);
    } else if (check.duplicate) {
      // Kafka answers a retried batch as it answered the original.
      append_result dup;
      dup.duplicate = true;
      dup.base_offset = check.duplicate->first_offset;
      dup.last_offset = check.duplicate->last_offset;
      dup.log_append_time_ms = cfg_.log_append_time ? check.duplicate->max_timestamp : -1;
      dup.log_start_offset = log_start_offset();
      return dup;
    }
  }
  return write(batches, std::move(prepared), now_ms);
}

append_result partition_log::append_replicated(std::span<const std::byte> batches, std::int64_t now_ms) {
  if (closed_) return failure(append_errc::storage_error, "log is closed", log_start_offset());
  return write(batches, prepare_replicated(batches, log_end_offset_), now_ms);
}

append_result partition_log::write(std::span<const std::byte> batches, prepared_append prepared, std::int64_t now_ms) {
  const offset log_start = log_start_offset();
  if (!prepared.verdict) return failure(prepared.verdict.error, std::move(prepared.verdict.message), log_start);
  for (const auto& e : prepared.epochs) record_epoch(e.epoch, e.start_offset);
  const std::vector<appended_batch>& appended = prepared.batches;
  const offset next = appended.back().last_offset + 1;
  if (needs_roll(batches.size(), next - 1, now_ms)) {
    // The first batch's base offset, not the log end: the two differ when a
    // replicated append skips records the leader compacted away, and the new
    // segment's relative offsets must start at its first batch.
    if (auto r = roll(appended.front().base_offset, now_ms); !r)
      return failure(append_errc::storage_error, "cannot roll segment: " + r.error().message(), log_start);
  }
  segment& seg = active();
  const bool was_empty = seg.empty();
  if (auto r = seg.append(batches, appended); !r) {
    log_->error("[{}] append failed: {}", dir_.filename().string(), r.error().message());
    return failure(append_errc::storage_error, "write failed: " + r.error().message(), log_start);
  }
  if (was_empty) seg.set_first_append_ms(now_ms);

  append_result result;
  protocol::batch_iterator written(batches);
  while (auto b = written.next())
    if (auto done = producers_.observe(*b)) {
      index_abort(*done);
      result.completed_txns.push_back(*done);
    }
  result.base_offset = appended.front().base_offset;
  result.last_offset = next - 1;
  result.log_append_time_ms = cfg_.log_append_time ? now_ms : -1;
  result.log_start_offset = log_start;
  log_end_offset_ = next;

  // flush.messages / flush.ms (both "never" by default: the page cache
  // already survives a crash of this process).
  unflushed_messages_ += next - result.base_offset;
  if (last_flush_ms_ <= 0) last_flush_ms_ = now_ms;
  if (unflushed_messages_ >= cfg_.flush_messages ||
      (cfg_.flush_ms != INT64_MAX && now_ms - last_flush_ms_ >= cfg_.flush_ms)) {
    if (auto r = flush(); !r) log_->warn("[{}] flush failed: {}", dir_.filename().string(), r.error().message());
    last_flush_ms_ = now_ms;
  }
  return result;
}

void partition_log::record_epoch(leader_epoch epoch, offset start_offset) {
  if (!epochs_.assign(epoch, start_offset)) return;
  if (auto r = epochs_.persist(); !r)
    log_->warn("[{}] cannot write {}: {}", dir_.filename().string(), leader_epoch_cache::file_name,
               r.error().message());
}

result<void> partition_log::rebuild_epochs() {
  epochs_.clear();
  for (const auto& [base, seg] : segments_) {
    std::uint64_t pos = 0;
    while (pos < seg->size()) {
      auto h = seg->header_at(pos);
      if (!h) return h.error();
      if (!h.value()) break;
      epochs_.assign(h.value()->leader_epoch, h.value()->base_offset);
      pos += h.value()->size;
    }
  }
  if (!epochs_.entries().empty())
    log_->info("[{}] rebuilt {} with {} epoch(s)", dir_.filename().string(), leader_epoch_cache::file_name,
               epochs_.entries().size());
  return epochs_.persist();
}

void partition_log::remove_segment(offset base) {
  auto it = segments_.find(base);
  if (it == segments_.end()) return;
  it->second->close();
  std::error_code ec;
  for (auto suffix : {log_format::log_suffix, log_format::index_suffix, log_format::time_index_suffix,
                      log_format::txn_index_suffix}) {
    std::filesystem::remove(segment_file(dir_, base, suffix), ec);
    if (ec) log_->warn("[{}] cannot delete segment {}: {}", dir_.filename().string(), base, ec.message());
  }
  segments_.erase(it);
  dir_dirty_ = true;
}

result<void> partition_log::increment_log_start_offset(offset start) {
  if (closed_) return std::make_error_code(std::errc::bad_file_descriptor);
  start = std::min(start, log_end_offset_);
  if (start <= log_start_offset_) return success();
  if (auto r = persist_log_start(start); !r) return r.error();
  if (epochs_.truncate_from_start(start)) {
    if (auto r = epochs_.persist(); !r)
      log_->warn("[{}] cannot write {}: {}", dir_.filename().string(), leader_epoch_cache::file_name,
                 r.error().message());
  }
  log_->info("[{}] log start offset moved to {}", dir_.filename().string(), start);
  return success();
}

result<void> partition_log::persist_log_start(offset start) {
  log_start_offset_ = start;
  return offset_checkpoint::persist(dir_, offset_checkpoint::log_start, start);
}

result<void> partition_log::truncate_to(offset end) {
  if (closed_) return std::make_error_code(std::errc::bad_file_descriptor);
  if (end >= log_end_offset_) return success();
  if (end <= segments_.begin()->first) return truncate_fully_and_start_at(std::max(end, offset{0}));
  while (segments_.rbegin()->first >= end) remove_segment(segments_.rbegin()->first);
  segment& seg = active();
  auto at = seg.locate(end);
  if (!at) return at.error();
  const std::uint64_t cut = at.value() ? at.value()->position : seg.size();
  if (auto r = seg.truncate_at(cut); !r) return r.error();
  log_end_offset_ = seg.next_offset();
  // Kafka: the log start follows a truncation below it.
  if (log_start_offset_ > log_end_offset_) {
    if (auto r = persist_log_start(log_end_offset_); !r) return r.error();
  }
  if (epochs_.truncate_from_end(log_end_offset_)) {
    if (auto r = epochs_.persist(); !r) return r.error();
  }
  if (auto r = load_producers(); !r) return r.error();
  log_->info("[{}] truncated to offset {}", dir_.filename().string(), log_end_offset_);
  return flush();
}

result<void> partition_log::truncate_fully_and_start_at(offset start) {
  if (closed_) return std::make_error_code(std::errc::bad_file_descriptor);
  while (!segments_.empty()) remove_segment(segments_.begin()->first);
  auto seg = segment::open(dir_, start, cfg_.index_interval_bytes, log_);
  if (!seg) return seg.error();
  if (auto r = seg.value()->recover_tail(); !r) return r.error();
  if (auto r = seg.value()->open_transactions(); !r) return r.error();
  segments_.emplace(start, std::move(seg).value());
  log_end_offset_ = start;
  if (auto r = persist_log_start(start); !r) return r.error();
  epochs_.clear();
  if (auto r = epochs_.persist(); !r) return r.error();
  delete_snapshots_below(offset{INT64_MAX});
  producers_.clear(start);
  log_->info("[{}] emptied; the log now starts at offset {}", dir_.filename().string(), start);
  return flush();
}

read_result partition_log::read(offset from, std::int32_t max_bytes, bool min_one,
                                const std::function<std::span<std::byte>(std::size_t)>& sink, offset upper_bound) {
  // A closed log still answers its offsets, but hands out nothing: a bound
  // below every offset.
  if (closed_) upper_bound = offset{INT64_MIN};
  return reader().read(from, max_bytes, min_one, sink, upper_bound);
}

offset_and_timestamp partition_log::offset_for_timestamp(std::int64_t ts) {
  if (closed_) return {};
  return reader().offset_for_timestamp(ts);
}

offset_and_timestamp partition_log::max_timestamp() {
  if (closed_) return {};
  return reader().max_timestamp();
}

log_reader partition_log::reader() const {
  return log_reader(segments_, log_start_offset_, log_end_offset_, *log_, dir_);
}

void partition_log::update_config(config::log_config cfg) {
  cfg_ = cfg;
  for (auto& [base, seg] : segments_) seg->set_index_interval(cfg_.index_interval_bytes);
}

std::uint64_t partition_log::size_in_bytes() const noexcept {
  std::uint64_t total = 0;
  for (const auto& [base, seg] : segments_) total += seg->size();
  return total;
}

std::size_t partition_log::apply_retention(std::int64_t now_ms) {
  if (closed_) return 0;
  std::uint64_t total = size_in_bytes();
  std::size_t deleted = 0;
  // Below the log start (DeleteRecords): a segment whose successor starts at
  // or below it holds nothing a reader may ask for, whatever the policy.
  while (segments_.size() > 1 && std::next(segments_.begin())->first <= log_start_offset_) {
    const offset base = segments_.begin()->first;
    total -= segments_.begin()->second->size();
    remove_segment(base);
    ++deleted;
    log_->info("[{}] deleted segment {} below the log start offset {}", dir_.filename().string(), base,
               log_start_offset_);
  }
  while (cfg_.cleanup_delete && segments_.size() > 1) {
    const segment& oldest = *segments_.begin()->second;
    const bool too_old = cfg_.retention_ms >= 0 && oldest.max_timestamp() >= 0 &&
                         now_ms - oldest.max_timestamp() > cfg_.retention_ms;
    const bool too_big = cfg_.retention_bytes >= 0 &&
                         total - oldest.size() >= static_cast<std::uint64_t>(cfg_.retention_bytes);
    if (!too_old && !too_big) break;
    const offset base = oldest.base_offset();
    total -= oldest.size();
    remove_segment(base);
    ++deleted;
    log_start_offset_ = std::max(log_start_offset_, segments_.begin()->first);
    log_->info("[{}] retention deleted segment {} ({}); log start offset now {}", dir_.filename().string(), base,
               too_old ? "retention.ms" : "retention.bytes", log_start_offset());
  }
  if (deleted > 0) delete_snapshots_below(segments_.begin()->first);
  return deleted;
}

result<void> partition_log::flush() {
  for (auto& [base, seg] : segments_) {
    if (seg->dirty()) {
      if (auto r = seg->flush(); !r) return r.error();
    }
  }
  if (dir_dirty_) {
    if (auto r = sync_directory(dir_); !r) return r.error();
    dir_dirty_ = false;
  }
  unflushed_messages_ = 0;
  return success();
}

void partition_log::close() {
  if (closed_) return;
  // A clean close leaves the whole producer state in a snapshot at the log
  // end, so the next open replays nothing.
  snapshot_producers(log_end_offset_, true);
  if (auto r = active().seal(); !r)
    log_->warn("[{}] cannot record the max timestamp: {}", dir_.filename().string(), r.error().message());
  if (auto r = flush(); !r) log_->warn("[{}] flush at close failed: {}", dir_.filename().string(), r.error().message());
  for (auto& [base, seg] : segments_) seg->close();
  closed_ = true;
}

}  // namespace sluice::storage
