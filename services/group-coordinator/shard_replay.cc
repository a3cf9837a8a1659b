#include "services/group-coordinator/shard_replay.h"

#include <optional>
#include <stdexcept>
#include <string_view>
#include <vector>

#include "common/protocol/control_record.h"
#include "common/protocol/record_batch_view.h"

namespace sluice::group_coordinator {

namespace {

// Our own batches are small; the bound only stops a decompression bomb.
constexpr std::size_t max_replayed_batch = 64 * 1024 * 1024;

std::string_view as_text(std::span<const std::byte> bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

}  // namespace

void replay_batches(group_shard& shard, std::span<const std::byte> batches, const topic_catalog& topics,
                    time_point now, std::int64_t& next_offset) {
  protocol::batch_iterator it(batches);
  std::vector<std::byte> scratch;
  while (auto batch = it.next()) {
    protocol::batch_header h(*batch);
    if (h.is_control()) {
      // A transaction marker; a control batch of another kind, or one the
      // cleaner emptied, changes nothing (Kafka's loader skips it too).
      if (auto read = protocol::read_txn_marker(*batch); read.marker)
        shard.apply_marker(h.producer_id(), read.marker->type == protocol::control_type::commit);
      next_offset = h.next_offset();
      continue;
    }
    std::span<const std::byte> records;
    if (auto why = protocol::batch_records(*batch, scratch, records, max_replayed_batch); !why.empty())
      throw std::runtime_error(why);
    const bool transactional = h.is_transactional() && h.producer_id() >= 0;
    auto bad = protocol::for_each_record(records, h.records_count(), [&](const protocol::record_view& r) {
      if (!r.key) return;
      std::optional<std::string_view> value;
      if (r.value) value = as_text(*r.value);
      if (transactional)
        shard.apply_transactional({h.producer_id(), h.producer_epoch()}, as_text(*r.key), value, topics, now);
      else shard.apply(as_text(*r.key), value, topics, now);
    });
    if (!bad.empty()) throw std::runtime_error(bad);
    next_offset = h.next_offset();
  }
}

}  // namespace sluice::group_coordinator
