#include "services/partition-server/storage/partition_log.h"

#include <algorithm>
#include <chrono>
#include <system_error>
#include <vector>

#include "common/logging/logger.h"
#include "common/protocol/record_batch.h"
#include "services/partition-server/storage/cleaner_checkpoint.h"
#include "services/partition-server/storage/file_names.h"
#include "services/partition-server/storage/log_cleaner.h"
#include "services/partition-server/storage/log_format.h"
#include "services/partition-server/storage/segment.h"

namespace sluice::storage {

using protocol::append_errc;
using protocol::batch_header;

namespace {

std::int64_t wall_clock_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

append_result failure(append_errc e, std::string message, std::int64_t log_start) {
  append_result r;
  r.error = e;
  r.message = std::move(message);
  r.log_start_offset = log_start;
  return r;
}

append_result failure(protocol::append_verdict v, std::int64_t log_start) {
  return failure(v.error, std::move(v.message), log_start);
}

// The partition server's one framing rule for a record set (a produce's
// slice or a fetched one): whole batches laid end to end, at least one.
// Hands each whole batch to `check` in order and stops at the first it
// refuses, so a bad batch is reported before a torn tail after it. An empty
// set is "no record batch" (CORRUPT_MESSAGE): Kafka clients never get here
// with one, the gateway answers their empty records field first.
template <class Check>
protocol::append_verdict check_record_set(std::span<const std::byte> set, Check&& check) {
  protocol::batch_iterator it(set);
  bool any = false;
  while (auto b = it.next()) {
    if (auto v = check(*b); !v) return v;
    any = true;
  }
  if (it.reason() != protocol::batch_iterator::stop_reason::end)
    return protocol::append_verdict::refuse(append_errc::corrupt_message,
                                            "record set has " + std::to_string(set.size() - it.position()) +
                                                " bytes that are not a whole batch");
  if (!any) return protocol::append_verdict::refuse(append_errc::corrupt_message, "no record batch");
  return {};
}

// Everything validation learnt about one batch of an append.
struct pending_batch {
  std::size_t offset_in_request = 0;
  std::size_t size = 0;
  protocol::batch_summary summary;
};

}  // namespace

partition_log::partition_log(std::filesystem::path dir, config::log_config cfg)
    : dir_(dir), cfg_(cfg), log_(logging::get("storage")), epochs_(std::move(dir)) {}

partition_log::~partition_log() { close(); }

result<std::unique_ptr<partition_log>> partition_log::open(std::filesystem::path dir, config::log_config cfg) {
  std::unique_ptr<partition_log> log(new partition_log(std::move(dir), cfg));
  if (auto r = log->load(); !r) return r.error();
  return log;
}

result<void> partition_log::load() {
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  if (ec) return ec;
  // A cleaning cut short by a crash: finish or drop it before the segments
  // are listed, so they are read as one consistent set.
  if (auto r = recover_cleaner_files(dir_, *log_); !r) return r.error();
  std::vector<std::int64_t> bases;
  std::vector<std::filesystem::path> orphans;
  for (const auto& entry : std::filesystem::directory_iterator(dir_, ec)) {
    const std::string name = entry.path().filename().string();
    if (auto base = parse_segment_file(name, log_format::log_suffix)) {
      bases.push_back(*base);
    } else if (auto ib = parse_segment_file(name, log_format::index_suffix)) {
      if (!std::filesystem::exists(segment_file(dir_, *ib, log_format::log_suffix))) orphans.push_back(entry.path());
    } else if (auto tb = parse_segment_file(name, log_format::time_index_suffix)) {
      if (!std::filesystem::exists(segment_file(dir_, *tb, log_format::log_suffix))) orphans.push_back(entry.path());
    }
  }
  if (ec) return ec;
  for (const auto& p : orphans) {
    log_->info("[{}] removing index without a segment: {}", dir_.filename().string(), p.filename().string());
    std::filesystem::remove(p, ec);
  }
  std::sort(bases.begin(), bases.end());
  if (bases.empty()) {
    bases.push_back(0);
    dir_dirty_ = true;
  }
  for (std::size_t i = 0; i < bases.size(); ++i) {
    auto seg = segment::open(dir_, bases[i], cfg_.index_interval_bytes, log_);
    if (!seg) return seg.error();
    const bool last = i + 1 == bases.size();
    if (auto r = last ? seg.value()->recover_tail() : seg.value()->check_indexes(); !r) return r.error();
    if (!last) seg.value()->close_indexes();
    segments_.emplace(bases[i], std::move(seg).value());
  }
  // A batch cut short by the crash must not hide a segment that follows.
  log_end_offset_ = active().next_offset();
  if (!active().empty()) active().set_first_append_ms(wall_clock_ms());
  if (!epochs_.load()) {
    if (auto r = rebuild_epochs(); !r) return r.error();
  } else if (epochs_.truncate_from_end(log_end_offset_)) {
    // Recovery cut a torn tail that had started a new epoch.
    if (auto r = epochs_.persist(); !r) return r.error();
  }
  first_dirty_ = cleaner_checkpoint::load(dir_).value_or(log_start_offset());
  log_->info("[{}] opened: {} segment(s), offsets {}..{}", dir_.filename().string(), segments_.size(),
             log_start_offset(), log_end_offset_);
  return success();
}

std::int64_t partition_log::log_start_offset() const { return segments_.begin()->first; }

std::int64_t partition_log::log_end_offset() const { return log_end_offset_; }

bool partition_log::needs_roll(std::size_t incoming, std::int64_t last_offset, std::int64_t now_ms) const {
  const segment& seg = *segments_.rbegin()->second;
  if (seg.empty()) return false;
  const std::int64_t max_bytes = std::min<std::int64_t>(cfg_.segment_bytes, log_format::max_segment_bytes);
  if (static_cast<std::int64_t>(seg.size() + incoming) > max_bytes) return true;
  if (last_offset - seg.base_offset() > log_format::max_relative_offset) return true;
  if (seg.first_append_ms() >= 0 && now_ms - seg.first_append_ms() >= cfg_.segment_ms) return true;
  if (cfg_.segment_index_bytes > 0 &&
      static_cast<std::int64_t>((seg.index_entries() + 1) * log_format::index_entry_size) > cfg_.segment_index_bytes)
    return true;
  return false;
}

result<void> partition_log::roll(std::int64_t base, std::int64_t now_ms) {
  if (auto r = active().seal(); !r) return r.error();
  active().close_indexes();
  auto seg = segment::open(dir_, base, cfg_.index_interval_bytes, log_);
  if (!seg) return seg.error();
  if (auto r = seg.value()->recover_tail(); !r) return r.error();  // opens the (empty) indexes
  log_->debug("[{}] rolled to segment {} at {}", dir_.filename().string(), base, now_ms);
  segments_.emplace(base, std::move(seg).value());
  dir_dirty_ = true;
  return success();
}

append_result partition_log::append(std::span<std::byte> batches, std::int32_t leader_epoch, std::int64_t now_ms) {
  const std::int64_t log_start = log_start_offset();
  if (closed_) return failure(append_errc::storage_error, "log is closed", log_start);

  protocol::validate_options options;
  options.max_batch_bytes = cfg_.max_message_bytes;
  options.now_ms = now_ms;
  options.require_keys = cfg_.cleanup_compact;
  if (!cfg_.log_append_time) {
    options.timestamp_before_max_ms = cfg_.timestamp_before_max_ms;
    options.timestamp_after_max_ms = cfg_.timestamp_after_max_ms;
  }

  // 1. Validate everything before touching anything.
  std::vector<pending_batch> pending;
  auto verdict = check_record_set(batches, [&](std::span<const std::byte> b) -> protocol::append_verdict {
    auto v = protocol::validate_batch(b, options);
    if (v) pending.push_back({static_cast<std::size_t>(b.data() - batches.data()), b.size(), v.summary});
    return v;
  });
  if (!verdict) return failure(std::move(verdict), log_start);
  const std::int64_t max_bytes = std::min<std::int64_t>(cfg_.segment_bytes, log_format::max_segment_bytes);
  if (static_cast<std::int64_t>(batches.size()) > max_bytes)
    return failure(append_errc::message_too_large,
                   "record set of " + std::to_string(batches.size()) + " bytes exceeds segment.bytes", log_start);

  // 2. Assign offsets and stamp in place.
  std::vector<appended_batch> appended;
  appended.reserve(pending.size());
  std::int64_t next = log_end_offset_;
  for (const auto& p : pending) {
    auto bytes = batches.subspan(p.offset_in_request, p.size);
    protocol::stamp_base_offset(bytes, next);
    protocol::stamp_partition_leader_epoch(bytes, leader_epoch);
    const batch_header h(bytes);
    std::int64_t max_ts = p.summary.max_timestamp;
    if (cfg_.log_append_time) {
      protocol::stamp_max_timestamp(bytes, now_ms, protocol::timestamp_type::log_append_time);
      max_ts = now_ms;
    } else if (h.max_timestamp() != max_ts || h.ts_type() != protocol::timestamp_type::create_time) {
      // The producer's max_timestamp must match its records (LogValidator fixes it too).
      protocol::stamp_max_timestamp(bytes, max_ts, protocol::timestamp_type::create_time);
    }
    appended.push_back({next, next + p.summary.records_count - 1, max_ts, static_cast<std::uint32_t>(p.size)});
    next += p.summary.records_count;
  }

  // 3. Write: one pwrite into the active segment.
  record_epoch(leader_epoch, log_end_offset_);
  return write_batches(batches, appended, now_ms);
}

append_result partition_log::write_batches(std::span<const std::byte> batches,
                                           const std::vector<appended_batch>& appended, std::int64_t now_ms) {
  const std::int64_t log_start = log_start_offset();
  const std::int64_t next = appended.back().last_offset + 1;
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
  result.base_offset = appended.front().base_offset;
  result.last_offset = next - 1;
  result.log_append_time_ms = cfg_.log_append_time ? now_ms : -1;
  result.log_start_offset = log_start;
  log_end_offset_ = next;

  // 4. flush.messages / flush.ms (both "never" by default: the page cache
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

append_result partition_log::append_replicated(std::span<const std::byte> batches, std::int64_t now_ms) {
  const std::int64_t log_start = log_start_offset();
  if (closed_) return failure(append_errc::storage_error, "log is closed", log_start);
  // The leader validated the records; a copy only has to arrive intact and
  // continue this log. Offsets may skip ahead: the leader's cleaner removes
  // records (and whole batches) from compacted topics, so a fetch from the
  // log end can start at a later batch (Kafka checks the same way).
  std::vector<appended_batch> appended;
  std::vector<std::pair<std::int32_t, std::int64_t>> epochs;
  std::int64_t next = log_end_offset_;
  auto verdict = check_record_set(batches, [&](std::span<const std::byte> b) -> protocol::append_verdict {
    const batch_header h(b);
    if (!protocol::batch_is_intact(b))
      return protocol::append_verdict::refuse(
          append_errc::corrupt_message, "replicated batch at offset " + std::to_string(h.base_offset()) + " is corrupt");
    if (h.base_offset() < next)
      return protocol::append_verdict::refuse(append_errc::invalid_record,
                                              "replicated batch starts at " + std::to_string(h.base_offset()) +
                                                  ", below the log end " + std::to_string(next));
    if (epochs.empty() || h.partition_leader_epoch() > epochs.back().first)
      epochs.emplace_back(h.partition_leader_epoch(), h.base_offset());
    appended.push_back({h.base_offset(), h.last_offset(), h.max_timestamp(), static_cast<std::uint32_t>(b.size())});
    next = h.last_offset() + 1;
    return {};
  });
  if (!verdict) return failure(std::move(verdict), log_start);
  for (const auto& [epoch, start] : epochs) record_epoch(epoch, start);
  return write_batches(batches, appended, now_ms);
}

void partition_log::record_epoch(std::int32_t epoch, std::int64_t start_offset) {
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

void partition_log::remove_segment(std::int64_t base) {
  auto it = segments_.find(base);
  if (it == segments_.end()) return;
  it->second->close();
  std::error_code ec;
  for (auto suffix : {log_format::log_suffix, log_format::index_suffix, log_format::time_index_suffix}) {
    std::filesystem::remove(segment_file(dir_, base, suffix), ec);
    if (ec) log_->warn("[{}] cannot delete segment {}: {}", dir_.filename().string(), base, ec.message());
  }
  segments_.erase(it);
  dir_dirty_ = true;
}

result<void> partition_log::truncate_to(std::int64_t offset) {
  if (closed_) return std::make_error_code(std::errc::bad_file_descriptor);
  if (offset >= log_end_offset_) return success();
  if (offset <= log_start_offset()) return truncate_fully_and_start_at(std::max<std::int64_t>(offset, 0));
  while (segments_.rbegin()->first >= offset) remove_segment(segments_.rbegin()->first);
  segment& seg = active();
  auto at = seg.locate(offset);
  if (!at) return at.error();
  const std::uint64_t cut = at.value() ? at.value()->position : seg.size();
  if (auto r = seg.truncate_at(cut); !r) return r.error();
  log_end_offset_ = seg.next_offset();
  if (epochs_.truncate_from_end(log_end_offset_)) {
    if (auto r = epochs_.persist(); !r) return r.error();
  }
  log_->info("[{}] truncated to offset {}", dir_.filename().string(), log_end_offset_);
  return flush();
}

result<void> partition_log::truncate_fully_and_start_at(std::int64_t offset) {
  if (closed_) return std::make_error_code(std::errc::bad_file_descriptor);
  while (!segments_.empty()) remove_segment(segments_.begin()->first);
  auto seg = segment::open(dir_, offset, cfg_.index_interval_bytes, log_);
  if (!seg) return seg.error();
  if (auto r = seg.value()->recover_tail(); !r) return r.error();
  segments_.emplace(offset, std::move(seg).value());
  log_end_offset_ = offset;
  epochs_.clear();
  if (auto r = epochs_.persist(); !r) return r.error();
  log_->info("[{}] emptied; the log now starts at offset {}", dir_.filename().string(), offset);
  return flush();
}

read_result partition_log::read(std::int64_t offset, std::int32_t max_bytes, bool min_one,
                                const std::function<std::span<std::byte>(std::size_t)>& sink,
                                std::int64_t upper_bound) {
  read_result result;
  result.log_start_offset = log_start_offset();
  result.log_end_offset = log_end_offset_;
  if (offset < result.log_start_offset || offset > log_end_offset_) {
    result.offset_out_of_range = true;
    return result;
  }
  if (offset >= std::min(log_end_offset_, upper_bound) || closed_) return result;

  // Where the bound cuts the log: the batch holding `upper_bound` starts it.
  std::int64_t cap_segment = INT64_MAX;
  std::uint64_t cap_position = 0;
  if (upper_bound < log_end_offset_) {
    auto seg_it = std::prev(segments_.upper_bound(upper_bound));
    auto at = seg_it->second->locate(upper_bound);
    if (!at) return result;
    cap_segment = seg_it->first;
    cap_position = at.value() ? at.value()->position : seg_it->second->size();
  }

  struct range {
    const segment* seg;
    std::uint64_t position;
    std::uint64_t length;
  };
  std::vector<range> ranges;
  std::uint64_t budget = max_bytes > 0 ? static_cast<std::uint64_t>(max_bytes) : 0;
  auto it = std::prev(segments_.upper_bound(offset));
  for (; it != segments_.end() && it->first <= cap_segment; ++it) {
    const segment& seg = *it->second;
    const std::uint64_t seg_end = it->first == cap_segment ? cap_position : seg.size();
    // The first range starts at the batch holding `offset`; later ones at
    // the start of their segment.
    auto first = ranges.empty() ? seg.locate(offset) : seg.header_at(0);
    if (!first) {
      log_->error("[{}] read at {} failed: {}", dir_.filename().string(), offset, first.error().message());
      break;
    }
    if (!first.value()) {
      if (ranges.empty()) continue;  // nothing at or after `offset` here
      break;
    }
    const std::uint64_t start = first.value()->position;
    if (start >= seg_end) break;
    const std::uint64_t limit = std::min(start + budget, seg_end);
    std::uint64_t end = seg.boundary_before(start, limit);
    if (start + first.value()->size <= limit) end = std::max(end, start + first.value()->size);
    if (end == start) {
      if (!(ranges.empty() && min_one)) break;
      end = start + first.value()->size;  // KIP-74: one whole batch even if too big
    }
    end = std::min(end, seg_end);
    ranges.push_back({&seg, start, end - start});
    budget -= std::min(budget, end - start);
    if (end < seg.size()) break;
  }

  std::uint64_t total = 0;
  for (const auto& r : ranges) total += r.length;
  if (total == 0) return result;
  std::span<std::byte> out = sink(static_cast<std::size_t>(total));
  std::size_t done = 0;
  for (const auto& r : ranges) {
    const std::size_t want = std::min<std::size_t>(r.length, out.size() - done);
    if (want == 0) break;
    auto n = r.seg->read(r.position, out.subspan(done, want));
    if (!n) {
      log_->error("[{}] pread failed: {}", dir_.filename().string(), n.error().message());
      break;
    }
    done += n.value();
    if (n.value() < want) break;
  }
  result.bytes = done;
  return result;
}

offset_and_timestamp partition_log::first_record_at_or_after(const segment& seg, std::uint64_t position,
                                                             std::uint32_t size, std::int64_t ts) {
  std::vector<std::byte> batch(size);
  auto n = seg.read(position, batch);
  if (!n || n.value() != size) return {};
  const batch_header h(batch);
  if (h.ts_type() == protocol::timestamp_type::log_append_time)
    return h.max_timestamp() >= ts ? offset_and_timestamp{h.base_offset(), h.max_timestamp()} : offset_and_timestamp{};
  std::vector<std::byte> scratch;
  std::span<const std::byte> records;
  if (!protocol::batch_records(batch, scratch, records, 256u << 20).empty()) return {};
  offset_and_timestamp found;
  protocol::for_each_record(records, h.records_count(), [&](const protocol::record_view& r) {
    const std::int64_t t = h.base_timestamp() + r.timestamp_delta;
    if (found.offset < 0 && t >= ts) found = {h.base_offset() + r.offset_delta, t};
  });
  return found;
}

offset_and_timestamp partition_log::offset_for_timestamp(std::int64_t ts) {
  if (closed_) return {};
  for (const auto& [base, seg] : segments_) {
    if (seg->empty() || seg->max_timestamp() < ts) continue;
    auto loc = seg->locate(std::max(seg->time_search_start(ts), log_start_offset()));
    while (loc && loc.value()) {
      const batch_location b = *loc.value();
      if (b.max_timestamp >= ts) {
        auto found = first_record_at_or_after(*seg, b.position, b.size, ts);
        if (found.offset >= 0) return found;
      }
      loc = seg->header_at(b.position + b.size);
    }
  }
  return {};
}

offset_and_timestamp partition_log::max_timestamp() {
  if (closed_) return {};
  const segment* best = nullptr;
  for (const auto& [base, seg] : segments_) {
    if (!seg->empty() && seg->max_timestamp() >= 0 && (!best || seg->max_timestamp() > best->max_timestamp()))
      best = seg.get();
  }
  if (!best) return {};
  auto loc = best->locate(best->offset_of_max_timestamp());
  if (!loc || !loc.value()) return {};
  auto found = first_record_at_or_after(*best, loc.value()->position, loc.value()->size, best->max_timestamp());
  if (found.offset >= 0) return found;
  return {loc.value()->base_offset, best->max_timestamp()};
}

void partition_log::update_config(config::log_config cfg) {
  cfg_ = cfg;
  for (auto& [base, seg] : segments_) seg->set_index_interval(cfg_.index_interval_bytes);
}

std::size_t partition_log::apply_retention(std::int64_t now_ms) {
  if (closed_ || !cfg_.cleanup_delete) return 0;
  std::uint64_t total = 0;
  for (const auto& [base, seg] : segments_) total += seg->size();
  std::size_t deleted = 0;
  while (segments_.size() > 1) {
    segment& oldest = *segments_.begin()->second;
    const bool too_old = cfg_.retention_ms >= 0 && oldest.max_timestamp() >= 0 &&
                         now_ms - oldest.max_timestamp() > cfg_.retention_ms;
    const bool too_big = cfg_.retention_bytes >= 0 &&
                         total - oldest.size() >= static_cast<std::uint64_t>(cfg_.retention_bytes);
    if (!too_old && !too_big) break;
    const std::int64_t base = oldest.base_offset();
    total -= oldest.size();
    oldest.close();
    std::error_code ec;
    for (auto suffix : {log_format::log_suffix, log_format::index_suffix, log_format::time_index_suffix}) {
      std::filesystem::remove(segment_file(dir_, base, suffix), ec);
      if (ec) log_->warn("[{}] cannot delete {}: {}", dir_.filename().string(), base, ec.message());
    }
    segments_.erase(segments_.begin());
    dir_dirty_ = true;
    ++deleted;
    log_->info("[{}] retention deleted segment {} ({}); log start offset now {}", dir_.filename().string(), base,
               too_old ? "retention.ms" : "retention.bytes", log_start_offset());
  }
  return deleted;
}

clean_result partition_log::clean(std::int64_t now_ms, std::int64_t upper_bound) {
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
  for (std::size_t i = range.first_dirty; i < range.segments; ++i) {
    if (auto r = add_to_offset_map(*segments_.at(sealed[i].base_offset), latest, *log_); !r) return give_up(r.error());
  }
  const retention_rules rules{&latest, now_ms, cfg_.delete_retention_ms};
  for (std::size_t i = 0; i < range.segments; ++i) {
    if (auto r = clean_segment(sealed[i].base_offset, rules, out); !r) return give_up(r.error());
  }
  if (auto r = cleaner_checkpoint::persist(dir_, range.end_offset); !r)
    log_->warn("[{}] cannot write {}: {}", name, cleaner_checkpoint::file_name, r.error().message());
  first_dirty_ = range.end_offset;
  out.first_dirty_offset = first_dirty_;
  log_->debug("[{}] cleaned offsets {}..{} ({} keys, dirty ratio {:.2f}): {} -> {} bytes, {} record(s) removed, "
              "{} segment(s) rewritten, {} removed",
              name, log_start_offset(), range.end_offset, latest.size(), range.dirty_ratio(), out.bytes_before,
              out.bytes_after, out.records_removed, out.segments_rewritten, out.segments_removed);
  return out;
}

result<void> partition_log::clean_segment(std::int64_t base, const retention_rules& rules, clean_result& out) {
  segment& seg = *segments_.at(base);
  const auto cleaned = segment_file(dir_, base, log_format::cleaned_suffix);
  std::error_code ec;
  auto stats = write_cleaned_segment(seg, rules, cleaned, *log_);
  if (!stats || !stats.value().changed) std::filesystem::remove(cleaned, ec);
  if (!stats) return stats.error();
  out.bytes_before += stats.value().bytes_before;
  out.records_removed += stats.value().records_before - stats.value().records_after;
  if (!stats.value().changed) {
    out.bytes_after += stats.value().bytes_before;
    return success();
  }
  out.bytes_after += stats.value().bytes_after;
  if (stats.value().bytes_after == 0 && base != log_start_offset()) {
    // Nothing left and not the segment that holds the log start: reads skip
    // the gap into the next segment, so the files can go.
    std::filesystem::remove(cleaned, ec);
    remove_segment(base);
    ++out.segments_removed;
    return sync_directory(dir_);
  }
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

result<void> partition_log::reopen_segment(std::int64_t base) {
  auto seg = segment::open(dir_, base, cfg_.index_interval_bytes, log_);
  if (!seg) return seg.error();
  if (auto r = seg.value()->check_indexes(); !r) return r.error();
  seg.value()->close_indexes();
  segments_[base] = std::move(seg).value();
  return success();
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
  if (auto r = active().seal(); !r)
    log_->warn("[{}] cannot record the max timestamp: {}", dir_.filename().string(), r.error().message());
  if (auto r = flush(); !r) log_->warn("[{}] flush at close failed: {}", dir_.filename().string(), r.error().message());
  for (auto& [base, seg] : segments_) seg->close();
  closed_ = true;
}

}  // namespace sluice::storage
