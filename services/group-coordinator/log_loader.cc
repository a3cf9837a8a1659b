#include "services/group-coordinator/log_loader.h"

#include <span>
#include <stdexcept>
#include <vector>

#include "common/logging/logger.h"
#include "common/protocol/record_batch.h"

namespace sluice::group_coordinator {

namespace {

auto log() {
  static auto l = logging::get("group");
  return l;
}

// Our own batches are small; the bound only stops a decompression bomb.
constexpr std::size_t max_replayed_batch = 64 * 1024 * 1024;

}  // namespace

log_loader::log_loader(offsets_log& log, std::string label, std::int32_t partition, std::int64_t shard_epoch,
                       apply_fn apply, std::function<void()> on_loaded)
    : log_(log),
      label_(std::move(label)),
      partition_(partition),
      shard_epoch_(shard_epoch),
      apply_(std::move(apply)),
      on_loaded_(std::move(on_loaded)) {}

void log_loader::poll() {
  if (loaded_ || reading_) return;
  reading_ = true;
  std::weak_ptr<bool> alive = alive_;
  log_.read(partition_, shard_epoch_, next_offset_, [this, alive](offsets_log::read_result r) {
    if (alive.expired()) return;
    reading_ = false;
    replayed(std::move(r));
  });
}

void log_loader::replayed(offsets_log::read_result r) {
  if (r.error == error_code::offset_out_of_range && r.log_start_offset > next_offset_) {
    next_offset_ = r.log_start_offset;
    return poll();
  }
  if (r.error != error_code::none) return;  // the next poll tries again
  const auto now = std::chrono::steady_clock::now();
  if (replay_until_ < 0) {
    replay_until_ = r.log_end_offset;
    replay_deadline_ = now + replay_wait;
  }
  try {
    protocol::batch_iterator it(r.batches);
    std::vector<std::byte> scratch;
    while (auto batch = it.next()) {
      protocol::batch_header h(*batch);
      if (!h.is_control()) {
        std::span<const std::byte> records;
        if (auto why = protocol::batch_records(*batch, scratch, records, max_replayed_batch); !why.empty())
          throw std::runtime_error(why);
        auto bad = protocol::for_each_record(records, h.records_count(), [&](const protocol::record_view& rec) {
          if (!rec.key) return;
          std::string_view key(reinterpret_cast<const char*>(rec.key->data()), rec.key->size());
          std::optional<std::string_view> value;
          if (rec.value) value = std::string_view(reinterpret_cast<const char*>(rec.value->data()), rec.value->size());
          apply_(key, value);
        });
        if (!bad.empty()) throw std::runtime_error(bad);
      }
      next_offset_ = h.next_offset();
    }
  } catch (const std::exception& e) {
    // A record we cannot read would make us serve wrong state: stay loading.
    log()->error("{} at offset {}: cannot replay: {}", label_, next_offset_, e.what());
    return;
  }
  const bool caught_up = next_offset_ >= r.high_watermark;
  const bool covered = next_offset_ >= replay_until_;
  if (caught_up && !covered && now < replay_deadline_) return;  // the old owner's last write is not committed yet
  if (!caught_up) return poll();
  if (!covered)
    log()->warn("{}: offsets {}..{} never became committed; serving without them", label_, next_offset_,
                replay_until_);
  loaded_ = true;
  log()->info("{} loaded up to offset {}", label_, next_offset_);
  if (on_loaded_) on_loaded_();
}

}  // namespace sluice::group_coordinator
