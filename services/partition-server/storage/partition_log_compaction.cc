// partition_log's compaction driver: when and over which segments the log
// cleaner runs, and swapping each rewritten segment in. The pieces it puts
// together are in log_cleaner.h; README.md ("Compaction") has the rules.
#include "services/partition-server/storage/partition_log.h"

#include <filesystem>
#include <system_error>
#include <vector>

#include "services/partition-server/storage/file_names.h"
#include "services/partition-server/storage/log_cleaner.h"
#include "services/partition-server/storage/log_format.h"
#include "services/partition-server/storage/offset_checkpoint.h"
#include "services/partition-server/storage/segment.h"

namespace sluice::storage {

clean_result partition_log::clean(std::int64_t now_ms, offset upper_bound) {
  clean_result out;
  if (closed_ || !cfg_.cleanup_compact || uncleanable_) return out;
  const std::string name = dir_.filename().string();
  // Retention or a follower's truncation may have moved the log past the
  // checkpoint: then everything left counts as dirty (Kafka resets the same way).
  if (first_dirty_ < log_start_offset() || first_dirty_ > log_end_offset_) first_dirty_ = log_start_offset();

  std::vector<sealed_segment> sealed;
  for (auto it = segments_.begin(); std::next(it) != segments_.end(); ++it)
    sealed.push_back({it->first, std::next(it)->first, it->second->size(), it->second->max_timestamp()});
  const cleanable_range range = find_cleanable(sealed, first_dirty_, upper_bound, now_ms, cfg_.min_compaction_lag_ms);
  // Strictly above the ratio, as Kafka's LogCleanerManager compares.
  if (range.segments == 0 || range.dirty_bytes == 0 || !(range.dirty_ratio() > cfg_.min_cleanable_dirty_ratio))
    return out;

  auto give_up = [&](const std::error_code& ec) {
    log_->error("[{}] log cleaner failed, partition left uncompacted until it is reopened: {}", name, ec.message());
    uncleanable_ = true;
    out.failed = true;
    return out;
  };
  // Kafka maps the dirty part only: the clean part holds at most one record
  // per key already, and any later record of its keys is in the dirty part.
  offset_map latest;
  cleaned_transactions mapped;
  for (std::size_t i = range.first_dirty; i < range.segments; ++i) {
    mapped.add_aborted(collect_aborted(sealed[i].base_offset, sealed[i].end_offset));
    if (auto r = add_to_offset_map(*segments_.at(sealed[i].base_offset), latest, *log_, &mapped); !r)
      return give_up(r.error());
  }
  cleaned_transactions transactions;
  const active_producers producers = last_records_of_producers();
  const retention_rules rules{&latest, now_ms, cfg_.delete_retention_ms, &transactions, &producers};
  for (std::size_t i = 0; i < range.segments; ++i) {
    // Kafka collects over the whole segment: its new .txnindex is rebuilt in full.
    transactions.add_aborted(collect_aborted(sealed[i].base_offset, sealed[i].end_offset));
    if (auto r = clean_segment(sealed[i].base_offset, rules, out); !r) return give_up(r.error());
  }
  if (auto r = offset_checkpoint::persist(dir_, offset_checkpoint::cleaner, range.end_offset); !r)
    log_->warn("[{}] cannot write {}: {}", name, offset_checkpoint::cleaner, r.error().message());
  first_dirty_ = range.end_offset;
  out.first_dirty_offset = first_dirty_;
  log_->debug("[{}] cleaned offsets {}..{} ({} keys, dirty ratio {:.2f}): {} -> {} bytes, {} record(s) removed, "
              "{} segment(s) rewritten, {} removed",
              name, log_start_offset(), range.end_offset, latest.size(), range.dirty_ratio(), out.bytes_before,
              out.bytes_after, out.records_removed, out.segments_rewritten, out.segments_removed);
  return out;
}

result<void> partition_log::clean_segment(offset base, const retention_rules& rules, clean_result& out) {
  segment& seg = *segments_.at(base);
  const auto cleaned = segment_file(dir_, base, log_format::cleaned_suffix);
  std::error_code ec;
  auto stats = write_cleaned_segment(seg, rules, cleaned, *log_);
  // The aborts whose marker this segment keeps with data still behind it.
  const std::vector<aborted_txn> kept = rules.transactions ? rules.transactions->take_kept() : std::vector<aborted_txn>{};
  if (!stats || !stats.value().changed) std::filesystem::remove(cleaned, ec);
  if (!stats) return stats.error();
  out.bytes_before += stats.value().bytes_before;
  out.records_removed += stats.value().records_before - stats.value().records_after;
  if (!stats.value().changed) {
    out.bytes_after += stats.value().bytes_before;
    return success();
  }
  out.bytes_after += stats.value().bytes_after;
  if (stats.value().bytes_after == 0 && base != segments_.begin()->first) {
    // Nothing left and not the first segment (it holds the log start): reads skip
    // the gap into the next segment, so the files can go.
    std::filesystem::remove(cleaned, ec);
    remove_segment(base);
    ++out.segments_removed;
    return sync_directory(dir_);
  }
  if (auto r = write_cleaned_transactions(dir_, base, kept); !r) return r.error();
  seg.close();
  auto swapped = swap_in_cleaned(dir_, base);
  // Whatever happened, the segment object must match the files again: the
  // new .log (indexes rebuilt), or the old one if the rename failed.
  auto reopened = reopen_segment(base);
  if (!swapped) return swapped.error();
  if (!reopened) return reopened.error();
  ++out.segments_rewritten;
  return success();
}

active_producers partition_log::last_records_of_producers() const {
  active_producers out;
  for (const auto& [pid, e] : producers_.producers()) {
    producer_last_record r;
    if (!e.batches.empty()) r.last_data_offset = e.batches.back().last_offset;
    r.epoch = e.epoch;
    out.emplace(pid, r);
  }
  return out;
}

result<void> partition_log::reopen_segment(offset base) {
  auto seg = segment::open(dir_, base, cfg_.index_interval_bytes, log_);
  if (!seg) return seg.error();
  if (auto r = seg.value()->check_indexes(); !r) return r.error();
  if (auto r = seg.value()->open_transactions(); !r) return r.error();
  seg.value()->close_indexes();
  segments_[base] = std::move(seg).value();
  return success();
}

}  // namespace sluice::storage
