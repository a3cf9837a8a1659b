#include "services/partition-server/storage/log_reader.h"

#include <algorithm>
#include <vector>

#include "common/protocol/record_batch_view.h"
#include "services/partition-server/storage/segment.h"

namespace sluice::storage {

using protocol::batch_header;

read_result log_reader::read(offset from, std::int32_t max_bytes, bool min_one, const sink& into,
                             offset upper_bound) const {
  read_result result;
  result.log_start_offset = log_start_offset();
  result.log_end_offset = log_end_offset_;
  if (from < result.log_start_offset || from > log_end_offset_) {
    result.offset_out_of_range = true;
    return result;
  }
  if (from >= std::min(log_end_offset_, upper_bound)) return result;

  // Where the bound cuts the log: the batch holding `upper_bound` starts it.
  offset cap_segment{INT64_MAX};
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
  auto it = std::prev(segments_.upper_bound(from));
  for (; it != segments_.end() && it->first <= cap_segment; ++it) {
    const segment& seg = *it->second;
    const std::uint64_t seg_end = it->first == cap_segment ? cap_position : seg.size();
    // The first range starts at the batch holding `from`; later ones at
    // the start of their segment.
    auto first = ranges.empty() ? seg.locate(from) : seg.header_at(0);
    if (!first) {
      log_.error("[{}] read at {} failed: {}", dir_.filename().string(), from, first.error().message());
      break;
    }
    if (!first.value()) {
      if (ranges.empty()) continue;  // nothing at or after `from` here
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
  std::span<std::byte> out = into(static_cast<std::size_t>(total));
  std::size_t done = 0;
  for (const auto& r : ranges) {
    const std::size_t want = std::min<std::size_t>(r.length, out.size() - done);
    if (want == 0) break;
    auto n = r.seg->read(r.position, out.subspan(done, want));
    if (!n) {
      log_.error("[{}] pread failed: {}", dir_.filename().string(), n.error().message());
      break;
    }
    done += n.value();
    if (n.value() < want) break;
  }
  result.bytes = done;
  return result;
}

offset_and_timestamp log_reader::first_record_at_or_after(const segment& seg, std::uint64_t position,
                                                          std::uint32_t size, std::int64_t ts,
                                                          offset from) const {
  std::vector<std::byte> batch(size);
  auto n = seg.read(position, batch);
  if (!n || n.value() != size) return {};
  const batch_header h(batch);
  const offset base{h.base_offset()};
  if (h.ts_type() == protocol::timestamp_type::log_append_time)
    return h.max_timestamp() >= ts ? offset_and_timestamp{std::max(base, from), h.max_timestamp()}
                                   : offset_and_timestamp{};
  std::vector<std::byte> scratch;
  std::span<const std::byte> records;
  if (!protocol::batch_records(batch, scratch, records, protocol::max_uncompressed_batch_bytes).empty()) return {};
  offset_and_timestamp found;
  protocol::for_each_record(records, h.records_count(), [&](const protocol::record_view& r) {
    const std::int64_t t = h.base_timestamp() + r.timestamp_delta;
    if (found.offset == no_offset && t >= ts && base + r.offset_delta >= from) found = {base + r.offset_delta, t};
  });
  return found;
}

offset_and_timestamp log_reader::offset_for_timestamp(std::int64_t ts) const {
  for (const auto& [base, seg] : segments_) {
    if (seg->empty() || seg->max_timestamp() < ts) continue;
    auto loc = seg->locate(std::max(seg->time_search_start(ts), log_start_offset()));
    while (loc && loc.value()) {
      const batch_location b = *loc.value();
      if (b.max_timestamp >= ts) {
        auto found = first_record_at_or_after(*seg, b.position, b.size, ts, log_start_offset());
        if (found.offset != no_offset) return found;
      }
      loc = seg->header_at(b.position + b.size);
    }
  }
  return {};
}

offset_and_timestamp log_reader::max_timestamp() const {
  const segment* best = nullptr;
  for (const auto& [base, seg] : segments_) {
    if (!seg->empty() && seg->max_timestamp() >= 0 && (!best || seg->max_timestamp() > best->max_timestamp()))
      best = seg.get();
  }
  if (!best) return {};
  auto loc = best->locate(best->offset_of_max_timestamp());
  if (!loc || !loc.value()) return {};
  auto found = first_record_at_or_after(*best, loc.value()->position, loc.value()->size, best->max_timestamp());
  if (found.offset != no_offset) return found;
  return {loc.value()->base_offset, best->max_timestamp()};
}

}  // namespace sluice::storage
