#include "services/partition-server/storage/prepared_append.h"

#include <algorithm>
#include <string>

#include "common/protocol/record_batch_builder.h"
#include "services/partition-server/storage/log_format.h"

namespace sluice::storage {

using protocol::append_errc;
using protocol::append_verdict;
using protocol::batch_header;

namespace {

// The partition server's one framing rule for a record set (a produce's
// slice or a fetched one): whole batches laid end to end, at least one.
// Hands each whole batch to `check` in order and stops at the first it
// refuses, so a bad batch is reported before a torn tail after it. An empty
// set is "no record batch" (CORRUPT_MESSAGE): Kafka clients never get here
// with one, the gateway answers their empty records field first.
template <class Check>
append_verdict check_record_set(std::span<const std::byte> set, Check&& check) {
  protocol::batch_iterator it(set);
  bool any = false;
  while (auto b = it.next()) {
    if (auto v = check(*b); !v) return v;
    any = true;
  }
  if (it.reason() != protocol::batch_iterator::stop_reason::end)
    return append_verdict::refuse(append_errc::corrupt_message, "record set has " +
                                                                    std::to_string(set.size() - it.position()) +
                                                                    " bytes that are not a whole batch");
  if (!any) return append_verdict::refuse(append_errc::corrupt_message, "no record batch");
  return {};
}

prepared_append refused(append_verdict v) {
  prepared_append out;
  out.verdict = std::move(v);
  return out;
}

protocol::validate_options produce_rules(const config::log_config& cfg, std::int64_t now_ms) {
  protocol::validate_options options;
  options.max_batch_bytes = cfg.max_message_bytes;
  options.now_ms = now_ms;
  options.require_keys = cfg.cleanup_compact;
  if (!cfg.log_append_time) {
    options.timestamp_before_max_ms = cfg.timestamp_before_max_ms;
    options.timestamp_after_max_ms = cfg.timestamp_after_max_ms;
  }
  return options;
}

// Where one validated batch sits in the request and what validation learnt.
struct valid_batch {
  std::size_t offset_in_set = 0;
  std::size_t size = 0;
  protocol::batch_summary summary;
};

}  // namespace

prepared_append prepare_produced(std::span<std::byte> set, offset next_offset, leader_epoch epoch,
                                 const config::log_config& cfg, std::int64_t now_ms) {
  // 1. Validate everything before touching anything.
  const auto rules = produce_rules(cfg, now_ms);
  std::vector<valid_batch> valid;
  auto verdict = check_record_set(set, [&](std::span<const std::byte> b) -> append_verdict {
    auto v = protocol::validate_batch(b, rules);
    if (v) valid.push_back({static_cast<std::size_t>(b.data() - set.data()), b.size(), v.summary});
    return v;
  });
  if (!verdict) return refused(std::move(verdict));
  if (static_cast<std::int64_t>(set.size()) > log_format::segment_size_limit(cfg.segment_bytes))
    return refused(append_verdict::refuse(
        append_errc::message_too_large, "record set of " + std::to_string(set.size()) + " bytes exceeds segment.bytes"));

  // 2. Assign offsets and stamp in place.
  prepared_append out;
  out.batches.reserve(valid.size());
  out.epochs.push_back({epoch, next_offset});
  offset next = next_offset;
  for (const auto& v : valid) {
    auto bytes = set.subspan(v.offset_in_set, v.size);
    protocol::stamp_base_offset(bytes, next());
    protocol::stamp_partition_leader_epoch(bytes, epoch());
    const batch_header h(bytes);
    std::int64_t max_ts = v.summary.max_timestamp;
    if (cfg.log_append_time) {
      protocol::stamp_max_timestamp(bytes, now_ms, protocol::timestamp_type::log_append_time);
      max_ts = now_ms;
    } else if (h.max_timestamp() != max_ts || h.ts_type() != protocol::timestamp_type::create_time) {
      // The producer's max_timestamp must match its records (LogValidator fixes it too).
      protocol::stamp_max_timestamp(bytes, max_ts, protocol::timestamp_type::create_time);
    }
    out.batches.push_back({next, next + v.summary.records_count - 1, max_ts, static_cast<std::uint32_t>(v.size)});
    next += v.summary.records_count;
  }
  return out;
}

prepared_append prepare_replicated(std::span<const std::byte> set, offset next_offset) {
  prepared_append out;
  offset next = next_offset;
  auto verdict = check_record_set(set, [&](std::span<const std::byte> b) -> append_verdict {
    const batch_header h(b);
    if (!protocol::batch_is_intact(b))
      return append_verdict::refuse(append_errc::corrupt_message,
                                    "replicated batch at offset " + std::to_string(h.base_offset()) + " is corrupt");
    const offset first{h.base_offset()};
    const offset last{h.last_offset()};
    if (first < next)
      return append_verdict::refuse(append_errc::invalid_record, "replicated batch starts at " +
                                                                     std::to_string(first()) + ", below the log end " +
                                                                     std::to_string(next()));
    const leader_epoch epoch{h.partition_leader_epoch()};
    if (out.epochs.empty() || epoch > out.epochs.back().epoch) out.epochs.push_back({epoch, first});
    out.batches.push_back({first, last, h.max_timestamp(), static_cast<std::uint32_t>(b.size())});
    next = last + 1;
    return {};
  });
  if (!verdict) return refused(std::move(verdict));
  return out;
}

}  // namespace sluice::storage
