#include "services/partition-server/storage/log_cleaner.h"

#include <system_error>
#include <utility>
#include <vector>

#include "common/base/endian.h"

#include "common/protocol/control_record.h"
#include "common/protocol/record_batch_filter.h"
#include "common/protocol/record_batch_validator.h"
#include "services/partition-server/storage/file_names.h"
#include "services/partition-server/storage/log_format.h"
#include "services/partition-server/storage/posix_file.h"
#include "services/partition-server/storage/segment.h"

namespace sluice::storage {

namespace {

std::error_code corrupt() { return std::make_error_code(std::errc::illegal_byte_sequence); }

std::string_view as_chars(std::span<const std::byte> s) {
  return {reinterpret_cast<const char*>(s.data()), s.size()};
}

// Calls fn(batch bytes) for every batch of `seg`, in order. Only the framing
// is checked here (header_at: a sane length inside the segment). A sealed
// segment was only index-checked at open, so each caller checks every batch
// once itself: batch_is_intact (require_intact), or filter_batch, which does
// the same check before anything else.
template <class Fn>
result<void> for_each_batch(const segment& seg, spdlog::logger& log, Fn&& fn) {
  std::vector<std::byte> buf;
  std::uint64_t pos = 0;
  while (pos < seg.size()) {
    auto h = seg.header_at(pos);
    if (!h) return h.error();
    if (!h.value()) {
      log.error("segment {}: no whole batch at position {} of {}", seg.base_offset(), pos, seg.size());
      return corrupt();
    }
    buf.resize(h.value()->size);
    auto n = seg.read(pos, buf);
    if (!n) return n.error();
    if (n.value() != buf.size()) {
      log.error("segment {}: short read of the batch at position {}", seg.base_offset(), pos);
      return corrupt();
    }
    if (auto r = fn(std::span<const std::byte>(buf)); !r) return r;
    pos += h.value()->size;
  }
  return success();
}

// The cleaner must not decide on, or copy, a batch it cannot trust.
result<void> require_intact(const segment& seg, std::span<const std::byte> batch, spdlog::logger& log) {
  if (protocol::batch_is_intact(batch)) return success();
  log.error("segment {}: batch at offset {} fails its CRC", seg.base_offset(), protocol::batch_header(batch).base_offset());
  return corrupt();
}

// A batch with `batch`'s header and no record: what Kafka leaves of a
// producer's last batch when the cleaner removed all its records, so the
// producer's state (sequence, epoch) still reads from the log. No codec:
// there is nothing to compress.
std::vector<std::byte> empty_batch_like(std::span<const std::byte> batch) {
  namespace L = protocol::batch_layout;
  std::vector<std::byte> out(batch.begin(), batch.begin() + L::header_size);
  store_be(out.data() + L::batch_length, static_cast<std::int32_t>(L::header_size - L::log_overhead));
  const auto attributes = load_be<std::int16_t>(out.data() + L::attributes);
  store_be(out.data() + L::attributes, static_cast<std::int16_t>(attributes & ~L::codec_mask));
  store_be(out.data() + L::records_count, std::int32_t{0});
  store_be(out.data() + L::crc, protocol::compute_batch_crc(out));
  return out;
}

// Kafka's isBatchLastRecordOfProducer.
bool holds_producer_state(const protocol::batch_header& h, const active_producers* producers) {
  if (!producers || h.producer_id() < 0) return false;
  auto it = producers->find(h.producer_id());
  if (it == producers->end()) return false;
  if (it->second.last_data_offset) return offset{h.last_offset()} == *it->second.last_data_offset;
  return h.is_control() && h.producer_epoch() == it->second.epoch;
}

}  // namespace

void cleaned_transactions::add_aborted(const std::vector<aborted_txn>& txns) {
  for (const auto& t : txns) {
    const bool reached = ongoing_aborted_.contains(t.producer_id) &&
                         ongoing_aborted_.at(t.producer_id).txn.first_offset == t.first_offset;
    if (!reached) pending_aborted_.emplace(t.first_offset, t);
  }
}

void cleaned_transactions::open_aborted_up_to(offset at) {
  while (!pending_aborted_.empty() && pending_aborted_.begin()->first <= at) {
    const aborted_txn t = pending_aborted_.begin()->second;
    pending_aborted_.erase(pending_aborted_.begin());
    ongoing_aborted_.try_emplace(t.producer_id, ongoing_abort{t, false});
  }
}

bool cleaned_transactions::on_data_batch(const protocol::batch_header& h) {
  open_aborted_up_to(offset{h.last_offset()});
  if (!h.is_transactional()) return false;
  if (auto it = ongoing_aborted_.find(h.producer_id()); it != ongoing_aborted_.end()) {
    it->second.data_seen = true;
    return true;
  }
  ongoing_committed_.insert(h.producer_id());
  return false;
}

bool cleaned_transactions::on_control_batch(std::span<const std::byte> batch) {
  const protocol::batch_header h(batch);
  open_aborted_up_to(offset{h.last_offset()});
  const auto read = protocol::read_txn_marker(batch);
  if (!read.marker) return read.error.empty();  // an empty one was cleaned before; another kind stays
  if (read.marker->type == protocol::control_type::commit) return ongoing_committed_.erase(h.producer_id()) == 0;
  auto it = ongoing_aborted_.find(h.producer_id());
  if (it == ongoing_aborted_.end()) return true;
  const ongoing_abort ended = it->second;
  ongoing_aborted_.erase(it);
  if (!ended.data_seen) return true;
  // Data of the transaction was still here: the marker stays, and with it
  // the entry that tells read_committed consumers to drop that data.
  kept_.push_back(ended.txn);
  return false;
}

std::vector<aborted_txn> cleaned_transactions::take_kept() { return std::exchange(kept_, {}); }

cleanable_range find_cleanable(std::span<const sealed_segment> sealed, offset first_dirty_offset, offset upper_bound,
                               std::int64_t now_ms, std::int64_t min_compaction_lag_ms) {
  cleanable_range r;
  for (std::size_t i = 0; i < sealed.size(); ++i) {
    const sealed_segment& s = sealed[i];
    if (s.end_offset > upper_bound) break;
    const bool dirty = s.end_offset > first_dirty_offset;
    // Kafka searches for a too-young segment from the first dirty one only:
    // the clean part was old enough when it was cleaned.
    if (dirty && min_compaction_lag_ms > 0 && s.max_timestamp > now_ms - min_compaction_lag_ms) break;
    if (dirty) {
      r.dirty_bytes += s.size;
    } else {
      r.clean_bytes += s.size;
      r.first_dirty = i + 1;
    }
    r.segments = i + 1;
    r.end_offset = s.end_offset;
  }
  return r;
}

void offset_map::put(std::string_view key, offset at) {
  auto it = latest_.find(key);
  if (it == latest_.end())
    latest_.emplace(std::string(key), at);
  else if (at > it->second)
    it->second = at;
}

offset offset_map::get(std::string_view key) const {
  auto it = latest_.find(key);
  return it == latest_.end() ? no_offset : it->second;
}

result<void> add_to_offset_map(const segment& seg, offset_map& map, spdlog::logger& log,
                               cleaned_transactions* transactions) {
  std::vector<std::byte> scratch;
  return for_each_batch(seg, log, [&](std::span<const std::byte> batch) -> result<void> {
    if (auto r = require_intact(seg, batch, log); !r) return r;
    const protocol::batch_header h(batch);
    if (h.is_control()) {
      if (transactions) transactions->on_control_batch(batch);
      return success();
    }
    // Kafka leaves aborted records out of the map: they must not decide
    // which committed records of their keys go.
    if (transactions && transactions->on_data_batch(h)) return success();
    std::span<const std::byte> records;
    if (auto err = protocol::batch_records(batch, scratch, records, protocol::max_uncompressed_batch_bytes); !err.empty()) {
      log.error("segment {}: batch at offset {}: {}", seg.base_offset(), h.base_offset(), err);
      return corrupt();
    }
    auto err = protocol::for_each_record(records, h.records_count(), [&](const protocol::record_view& r) {
      if (r.key) map.put(as_chars(*r.key), offset{h.base_offset()} + r.offset_delta);
    });
    if (!err.empty()) {
      log.error("segment {}: batch at offset {}: {}", seg.base_offset(), h.base_offset(), err);
      return corrupt();
    }
    return success();
  });
}

result<segment_clean_stats> write_cleaned_segment(const segment& seg, const retention_rules& rules,
                                                  const std::filesystem::path& out, spdlog::logger& log) {
  auto file = posix_file::open(out);
  if (!file) return file.error();
  if (auto r = file.value().truncate(0); !r) return r.error();
  segment_clean_stats stats;
  stats.bytes_before = seg.size();
  std::uint64_t written = 0;
  auto write = [&](std::span<const std::byte> bytes) -> result<void> {
    if (auto r = file.value().write_at(bytes, written); !r) return r.error();
    written += bytes.size();
    return success();
  };
  auto r = for_each_batch(seg, log, [&](std::span<const std::byte> batch) -> result<void> {
    const protocol::batch_header h(batch);
    const bool past_horizon = h.max_timestamp() < rules.now_ms - rules.delete_retention_ms;
    const bool keeps_producer = holds_producer_state(h, rules.producers);
    // All records go: the batch stays empty when it holds its producer's
    // state, else it goes whole.
    auto drop_records = [&]() -> result<void> {
      if (keeps_producer && h.records_count() == 0) return write(batch);  // emptied by an earlier cleaning
      stats.records_before += h.records_count();
      stats.changed = true;
      return keeps_producer ? write(empty_batch_like(batch)) : success();
    };
    if (h.is_control()) {
      // Transaction markers (Kafka's rule): one goes once no data of its
      // transaction is left and the delete horizon has passed, so that a
      // consumer that read the data has had time to read the marker.
      if (auto intact = require_intact(seg, batch, log); !intact) return intact;
      const bool discardable = rules.transactions && rules.transactions->on_control_batch(batch);
      if (discardable && past_horizon) return drop_records();
      stats.records_before += h.records_count();
      stats.records_after += h.records_count();
      return write(batch);
    }
    if (rules.transactions && rules.transactions->on_data_batch(h)) {
      if (auto intact = require_intact(seg, batch, log); !intact) return intact;
      return drop_records();  // an aborted transaction's records, whatever their keys
    }
    if (h.records_count() == 0) {
      // Kept empty for a producer's state before; it goes once it no longer holds it.
      if (auto intact = require_intact(seg, batch, log); !intact) return intact;
      return drop_records();
    }
    auto filtered = protocol::filter_batch(
        batch,
        [&](const protocol::record_view& rec) {
          if (!rec.key) return false;  // cannot be compacted; producers may not write these
          if (rules.latest->get(as_chars(*rec.key)) > offset{h.base_offset()} + rec.offset_delta) return false;
          return rec.value.has_value() || !past_horizon;
        },
        protocol::max_uncompressed_batch_bytes);
    stats.records_before += filtered.records_before;
    stats.records_after += filtered.records_after;
    switch (filtered.outcome) {
      case protocol::filter_outcome::kept_all: return write(batch);
      case protocol::filter_outcome::rewritten: stats.changed = true; return write(filtered.bytes);
      case protocol::filter_outcome::emptied:
        if (keeps_producer && h.records_count() == 0) return write(batch);
        stats.changed = true;
        return keeps_producer ? write(empty_batch_like(batch)) : success();
      case protocol::filter_outcome::failed:
        log.error("segment {}: batch at offset {}: {}", seg.base_offset(), h.base_offset(), filtered.error);
        return corrupt();
    }
    return corrupt();
  });
  if (!r) return r.error();
  if (auto s = file.value().sync(); !s) return s.error();
  stats.bytes_after = written;
  return stats;
}

result<void> write_cleaned_transactions(const std::filesystem::path& dir, offset base,
                                        const std::vector<aborted_txn>& txns) {
  const auto path = segment_file(dir, base, log_format::txn_cleaned_suffix);
  std::error_code ec;
  std::filesystem::remove(path, ec);
  transaction_index index;
  bool consistent = false;
  if (auto r = index.open(path, consistent); !r) return r.error();
  for (const auto& t : txns) {
    if (auto r = index.add(t); !r) return r.error();
  }
  return index.sync();
}

result<void> swap_in_cleaned(const std::filesystem::path& dir, offset base) {
  std::error_code ec;
  const auto txns = segment_file(dir, base, log_format::txn_cleaned_suffix);
  if (std::filesystem::exists(txns, ec)) {
    std::filesystem::rename(txns, segment_file(dir, base, log_format::txn_swap_suffix), ec);
    if (ec) return ec;
  }
  std::filesystem::rename(segment_file(dir, base, log_format::cleaned_suffix),
                          segment_file(dir, base, log_format::swap_suffix), ec);
  if (ec) return ec;
  if (auto r = sync_directory(dir); !r) return r.error();
  return install_swap(dir, base);
}

result<void> install_swap(const std::filesystem::path& dir, offset base) {
  // Indexes first: were the new .log in place with the old indexes, their
  // positions would point into the wrong bytes yet could pass the cheap
  // open-time check. Without them, open rebuilds from the .log.
  std::error_code ec;
  for (auto suffix : {log_format::index_suffix, log_format::time_index_suffix}) {
    std::filesystem::remove(segment_file(dir, base, suffix), ec);
    if (ec) return ec;
  }
  const auto txns = segment_file(dir, base, log_format::txn_swap_suffix);
  if (std::filesystem::exists(txns, ec)) {
    std::filesystem::rename(txns, segment_file(dir, base, log_format::txn_index_suffix), ec);
    if (ec) return ec;
  }
  std::filesystem::rename(segment_file(dir, base, log_format::swap_suffix),
                          segment_file(dir, base, log_format::log_suffix), ec);
  if (ec) return ec;
  return sync_directory(dir);
}

result<std::size_t> recover_cleaner_files(const std::filesystem::path& dir, spdlog::logger& log) {
  std::error_code ec;
  std::vector<std::filesystem::path> cleaned;
  std::vector<offset> swaps;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (parse_segment_file(name, log_format::cleaned_suffix)) cleaned.push_back(entry.path());
    if (auto base = parse_segment_file(name, log_format::swap_suffix)) swaps.push_back(*base);
  }
  if (ec) return ec;
  for (const auto& p : cleaned) {
    log.info("[{}] deleting an unfinished cleaner rewrite: {}", dir.filename().string(), p.filename().string());
    std::filesystem::remove(p, ec);
    if (ec) return ec;
  }
  for (offset base : swaps) {
    log.info("[{}] installing the cleaned copy of segment {} left by a crash", dir.filename().string(), base);
    if (auto r = install_swap(dir, base); !r) return r.error();
  }
  // Transaction indexes of rewrites that never reached their commit point.
  std::size_t stray = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (parse_segment_file(name, log_format::txn_cleaned_suffix) || parse_segment_file(name, log_format::txn_swap_suffix)) {
      std::filesystem::remove(entry.path(), ec);
      ++stray;
    }
  }
  if (ec) return ec;
  return cleaned.size() + swaps.size() + stray;
}

}  // namespace sluice::storage
