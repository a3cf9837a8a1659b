#include "services/partition-server/storage/segment.h"

#include <algorithm>

#include "common/protocol/record_batch_validator.h"
#include "services/partition-server/storage/file_names.h"
#include "services/partition-server/storage/log_format.h"

namespace sluice::storage {

namespace L = protocol::batch_layout;
using protocol::batch_header;

namespace {
constexpr std::size_t kScanChunk = 1 << 20;

// The .index and .timeindex keep offsets relative to the segment's base.
std::uint32_t relative(offset at, offset base) { return static_cast<std::uint32_t>(at - base); }
}  // namespace

segment::segment(std::filesystem::path dir, offset base_offset, std::int32_t index_interval_bytes,
                 std::shared_ptr<spdlog::logger> log)
    : dir_(std::move(dir)),
      base_offset_(base_offset),
      index_interval_bytes_(index_interval_bytes),
      log_(std::move(log)),
      next_offset_(base_offset) {}

result<std::unique_ptr<segment>> segment::open(const std::filesystem::path& dir, offset base_offset,
                                               std::int32_t index_interval_bytes,
                                               std::shared_ptr<spdlog::logger> log) {
  std::unique_ptr<segment> s(new segment(dir, base_offset, index_interval_bytes, std::move(log)));
  auto file = posix_file::open(segment_file(dir, base_offset, log_format::log_suffix));
  if (!file) return file.error();
  s->file_ = std::move(file).value();
  auto size = s->file_.size();
  if (!size) return size.error();
  s->size_ = size.value();
  return s;
}

result<void> segment::open_indexes(bool& consistent) {
  bool offsets_ok = false;
  bool times_ok = false;
  if (auto r = offsets_.open(segment_file(dir_, base_offset_, log_format::index_suffix), offsets_ok); !r)
    return r.error();
  if (auto r = times_.open(segment_file(dir_, base_offset_, log_format::time_index_suffix), times_ok); !r)
    return r.error();
  consistent = offsets_ok && times_ok;
  return success();
}

result<void> segment::index_batch(std::uint64_t position, const appended_batch& b, bool already_indexed) {
  if (b.max_timestamp > max_timestamp_) {
    max_timestamp_ = b.max_timestamp;
    offset_of_max_timestamp_ = b.base_offset;
  }
  if (!already_indexed && bytes_since_index_ > static_cast<std::uint64_t>(std::max(index_interval_bytes_, 0))) {
    // Time entry first: an .index entry on disk implies its time entry is
    // there too, which recovery relies on (log_format.h).
    if (max_timestamp_ >= 0) {
      if (auto r = times_.maybe_append(max_timestamp_, relative(offset_of_max_timestamp_, base_offset_)); !r)
        return r.error();
    }
    if (auto r = offsets_.append(relative(b.base_offset, base_offset_), static_cast<std::uint32_t>(position)); !r)
      return r.error();
    bytes_since_index_ = 0;
    dirty_ = true;
  }
  if (already_indexed) bytes_since_index_ = 0;
  bytes_since_index_ += b.size;
  return success();
}

result<segment::scan_result> segment::scan(std::uint64_t start, offset expected_base, bool exact_base,
                                           bool verify_crc, bool first_is_indexed) {
  auto file_size = file_.size();
  if (!file_size) return file_size.error();
  const std::uint64_t end_of_file = file_size.value();
  scan_result out{start, expected_base, false};
  std::vector<std::byte> buf(std::min<std::uint64_t>(kScanChunk, std::max<std::uint64_t>(end_of_file - std::min(start, end_of_file), 1)));
  std::uint64_t pos = start;
  bool first = true;
  while (pos < end_of_file) {
    const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(buf.size(), end_of_file - pos));
    auto n = file_.read_at(std::span(buf.data(), want), pos);
    if (!n) return n.error();
    std::span<const std::byte> chunk(buf.data(), n.value());
    protocol::batch_iterator it(chunk);
    std::size_t consumed = 0;
    bool bad = false;
    while (auto b = it.next()) {
      const batch_header h(*b);
      const offset first_offset{h.base_offset()};
      const offset last_offset{h.last_offset()};
      const bool base_ok = exact_base && first ? first_offset == out.next_offset : first_offset >= out.next_offset;
      const bool sound = verify_crc ? protocol::batch_is_intact(*b) : protocol::header_is_sane(h);
      if (!sound || !base_ok || last_offset - base_offset_ > log_format::max_relative_offset) {
        bad = true;
        break;
      }
      const appended_batch info{first_offset, last_offset, h.max_timestamp(), static_cast<std::uint32_t>(b->size())};
      if (auto r = index_batch(pos + consumed, info, first && first_is_indexed); !r) return r.error();
      first = false;
      consumed = it.position();
      out.next_offset = last_offset + 1;
      out.end = pos + consumed;
    }
    if (bad || it.reason() == protocol::batch_iterator::stop_reason::bad_length) break;
    if (consumed == 0) {
      // The batch at `pos` did not fit in the buffer: grow when the file
      // really holds it, else it is a torn tail.
      if (n.value() >= L::header_size) {
        const batch_header h(chunk);
        const std::uint64_t total = static_cast<std::uint64_t>(h.total_size());
        if (total > buf.size() && pos + total <= end_of_file) {
          buf.resize(total);
          continue;
        }
      }
      break;
    }
    pos += consumed;
  }
  out.stopped_early = out.end < end_of_file;
  return out;
}

result<void> segment::rebuild_indexes() {
  log_->info("[{}] rebuilding indexes of segment {}", dir_.filename().string(), base_offset_);
  if (auto r = offsets_.truncate(0); !r) return r.error();
  if (auto r = times_.truncate(0); !r) return r.error();
  max_timestamp_ = -1;
  offset_of_max_timestamp_ = no_offset;
  bytes_since_index_ = 0;
  auto scanned = scan(0, base_offset_, false, false, false);
  if (!scanned) return scanned.error();
  if (scanned.value().stopped_early)
    log_->warn("[{}] segment {} has {} unreadable bytes after position {}", dir_.filename().string(), base_offset_,
               size_ - scanned.value().end, scanned.value().end);
  size_ = scanned.value().end;
  next_offset_ = scanned.value().next_offset;
  return seal();
}

result<bool> segment::index_tail_complete() {
  const auto& entries = offsets_.entries();
  std::uint64_t pos = entries.empty() ? 0 : entries.back().position;
  if (pos > size_ || (!entries.empty() && pos == size_)) return false;
  std::uint64_t since = 0;
  bool first = true;
  offset next = entries.empty() ? base_offset_ : base_offset_ + entries.back().relative_offset;
  std::int64_t walked_max = -1;
  offset walked_max_offset = no_offset;
  while (pos < size_) {
    auto h = header_at(pos);
    if (!h) return h.error();
    if (!h.value() || h.value()->base_offset < next) return false;
    const bool indexed_here = first && !entries.empty();
    if (!indexed_here && since > static_cast<std::uint64_t>(std::max(index_interval_bytes_, 0))) return false;
    if (indexed_here) since = 0;
    since += h.value()->size;
    if (h.value()->max_timestamp > walked_max) {
      walked_max = h.value()->max_timestamp;
      walked_max_offset = h.value()->base_offset;
    }
    next = h.value()->last_offset + 1;
    pos += h.value()->size;
    first = false;
  }
  const auto last_time = times_.last();
  if (size_ > 0 && !last_time) return false;
  next_offset_ = next;
  bytes_since_index_ = since;
  max_timestamp_ = last_time ? last_time->timestamp : -1;
  offset_of_max_timestamp_ = last_time ? base_offset_ + last_time->relative_offset : no_offset;
  if (walked_max > max_timestamp_) {
    max_timestamp_ = walked_max;
    offset_of_max_timestamp_ = walked_max_offset;
  }
  return true;
}

result<void> segment::check_indexes() {
  bool consistent = false;
  if (auto r = open_indexes(consistent); !r) return r.error();
  if (consistent) {
    auto complete = index_tail_complete();
    if (!complete) return complete.error();
    if (complete.value()) return success();
  }
  return rebuild_indexes();
}

result<void> segment::recover_tail() {
  const std::string name = dir_.filename().string();
  bool consistent = false;
  if (auto r = open_indexes(consistent); !r) return r.error();
  // Second attempt only when the batch the last index entry names is itself
  // bad: then the whole segment is re-read from position 0.
  for (int attempt = 0; attempt < 2; ++attempt) {
    // Drop index entries that point at or past the end of the .log, and time
    // entries from the last .index entry on: the scan re-adds them.
    const auto& entries = offsets_.entries();
    std::size_t keep = entries.size();
    while (keep > 0 && entries[keep - 1].position >= size_) --keep;
    if (!consistent || attempt > 0) keep = 0;
    if (auto r = offsets_.truncate(keep); !r) return r.error();
    std::uint64_t start = 0;
    offset start_offset = base_offset_;
    std::size_t keep_times = 0;
    if (keep > 0) {
      const auto last = offsets_.entries().back();
      start = last.position;
      start_offset = base_offset_ + last.relative_offset;
      const auto& times = times_.entries();
      while (keep_times < times.size() && times[keep_times].relative_offset < last.relative_offset) ++keep_times;
    }
    if (auto r = times_.truncate(keep_times); !r) return r.error();
    max_timestamp_ = -1;
    offset_of_max_timestamp_ = no_offset;
    if (const auto last = times_.last()) {
      max_timestamp_ = last->timestamp;
      offset_of_max_timestamp_ = base_offset_ + last->relative_offset;
    }
    bytes_since_index_ = 0;
    auto scanned = scan(start, start_offset, keep > 0, true, keep > 0);
    if (!scanned) return scanned.error();
    if (keep > 0 && scanned.value().end == start) continue;
    if (scanned.value().stopped_early) {
      log_->warn("[{}] truncating segment {} from {} to {} bytes: torn or corrupt tail", name, base_offset_, size_,
                 scanned.value().end);
      if (auto r = file_.truncate(scanned.value().end); !r) return r.error();
      dirty_ = true;
    }
    size_ = scanned.value().end;
    next_offset_ = scanned.value().next_offset;
    return success();
  }
  return success();  // not reached: the second attempt always returns
}

result<void> segment::append(std::span<const std::byte> bytes, std::span<const appended_batch> batches) {
  const std::uint64_t at = size_;
  if (auto r = file_.write_at(bytes, at); !r) {
    // Cut back whatever part was written so the tail stays whole batches.
    (void)file_.truncate(at);
    return r.error();
  }
  size_ += bytes.size();
  dirty_ = true;
  std::uint64_t pos = at;
  for (const auto& b : batches) {
    if (auto r = index_batch(pos, b, false); !r) {
      // The data is written; a missing index entry is repaired on restart.
      log_->warn("[{}] index write failed in segment {}: {}", dir_.filename().string(), base_offset_,
                 r.error().message());
    }
    pos += b.size;
    next_offset_ = b.last_offset + 1;
  }
  return success();
}

result<void> segment::seal() {
  if (empty()) return success();
  dirty_ = true;
  return times_.maybe_append(max_timestamp_, relative(std::max(offset_of_max_timestamp_, base_offset_), base_offset_));
}

result<void> segment::truncate_at(std::uint64_t position) {
  if (position < size_) {
    if (auto r = file_.truncate(position); !r) return r.error();
    size_ = position;
    dirty_ = true;
  }
  close_indexes();
  if (auto r = recover_tail(); !r) return r.error();
  // Aborts whose marker was cut go with it (open_transactions drops them).
  if (auto r = open_transactions(); !r) return r.error();
  txns_dirty_ = true;
  return success();
}

result<bool> segment::open_transactions() {
  const auto path = segment_file(dir_, base_offset_, log_format::txn_index_suffix);
  std::error_code ec;
  const bool existed = std::filesystem::exists(path, ec);
  bool consistent = false;
  if (auto r = txns_.open(path, consistent); !r) return r.error();
  txns_open_ = true;
  // Kafka's sanity check: every marker is an offset of this segment.
  if (!txns_.entries().empty() && txns_.entries().front().last_offset < base_offset_) consistent = false;
  // Markers past the end went with a torn tail that recovery cut.
  if (consistent) {
    if (auto r = txns_.truncate_from(next_offset_); !r) return r.error();
  }
  return existed && consistent;
}

result<bool> segment::add_aborted(const aborted_txn& txn) {
  // Already there (a replay over a sealed segment): no need to open the file.
  if (!txns_.entries().empty() && txn.last_offset <= txns_.entries().back().last_offset) return false;
  const bool was_open = txns_open_;
  if (!was_open) {
    if (auto r = open_transactions(); !r) return r.error();
  }
  auto added = txns_.add(txn);
  if (added && added.value()) {
    txns_dirty_ = true;
    dirty_ = true;
  }
  if (!was_open) close_transactions();
  return added;
}

result<void> segment::rewrite_transactions(const std::vector<aborted_txn>& txns) {
  const bool was_open = txns_open_;
  if (!was_open) {
    if (auto r = open_transactions(); !r) return r.error();
  }
  if (auto r = txns_.truncate(0); !r) return r.error();
  for (const auto& t : txns) {
    if (auto r = txns_.add(t); !r) return r.error();
  }
  if (auto r = txns_.sync(); !r) return r.error();
  txns_dirty_ = false;
  if (!was_open) {
    txns_.close();
    txns_open_ = false;
  }
  return success();
}

result<std::optional<batch_location>> segment::header_at(std::uint64_t position) const {
  if (position + L::header_size > size_) return std::optional<batch_location>{};
  std::byte raw[L::header_size];
  auto n = file_.read_at(raw, position);
  if (!n) return n.error();
  if (n.value() < L::header_size) return std::optional<batch_location>{};
  const batch_header h(std::span<const std::byte>(raw, L::header_size));
  const std::int64_t total = h.total_size();
  if (total < static_cast<std::int64_t>(L::header_size) || position + static_cast<std::uint64_t>(total) > size_)
    return std::optional<batch_location>{};
  return std::optional<batch_location>(batch_location{position, static_cast<std::uint32_t>(total),
                                                      offset{h.base_offset()}, offset{h.last_offset()},
                                                      h.max_timestamp(), leader_epoch{h.partition_leader_epoch()},
                                                      h.producer_id(), h.is_transactional(), h.is_control()});
}

result<std::optional<batch_location>> segment::locate(offset target) const {
  if (target >= next_offset_ || empty()) return std::optional<batch_location>{};
  std::uint64_t pos = 0;
  if (target > base_offset_) {
    if (auto e = offsets_.lookup(relative(target, base_offset_))) pos = e->position;
  }
  while (pos < size_) {
    auto h = header_at(pos);
    if (!h) return h.error();
    if (!h.value()) {
      log_->error("[{}] segment {}: no batch header at position {}", dir_.filename().string(), base_offset_, pos);
      return std::optional<batch_location>{};
    }
    if (h.value()->last_offset >= target) return h;
    pos += h.value()->size;
  }
  return std::optional<batch_location>{};
}

std::uint64_t segment::boundary_before(std::uint64_t start, std::uint64_t limit) const {
  if (size_ <= limit) return std::max(start, size_);
  const auto& entries = offsets_.entries();
  auto it = std::upper_bound(entries.begin(), entries.end(), limit,
                             [](std::uint64_t v, const offset_index_entry& e) { return v < e.position; });
  if (it == entries.begin()) return start;
  const std::uint64_t pos = std::prev(it)->position;
  return pos > start ? pos : start;
}

result<std::size_t> segment::read(std::uint64_t position, std::span<std::byte> out) const {
  return file_.read_at(out, position);
}

offset segment::time_search_start(std::int64_t timestamp) const {
  if (auto e = times_.last_below(timestamp)) return base_offset_ + e->relative_offset;
  return base_offset_;
}

result<void> segment::flush() {
  if (!dirty_) return success();
  if (auto r = file_.sync(); !r) return r.error();
  if (auto r = offsets_.sync(); !r) return r.error();
  if (auto r = times_.sync(); !r) return r.error();
  if (auto r = txns_.sync(); !r) return r.error();
  txns_dirty_ = false;
  dirty_ = false;
  return success();
}

void segment::close_indexes() noexcept {
  offsets_.close();
  times_.close();
  close_transactions();
}

void segment::close() noexcept {
  file_.close();
  offsets_.close();
  times_.close();
  close_transactions();
}

void segment::close_transactions() noexcept {
  // Unlike the other two, this index cannot be rebuilt from the segment
  // alone: what was appended is synced before the fd goes.
  if (txns_dirty_) (void)txns_.sync();
  txns_dirty_ = false;
  txns_.close();
  txns_open_ = false;
}

}  // namespace sluice::storage
