#include "services/partition-server/partition_state.h"

#include <algorithm>
#include <system_error>

#include "services/partition-server/errors.h"
#include "services/partition-server/logger.h"
#include "services/partition-server/partition_probe.h"
#include "services/partition-server/storage/partition_log.h"

namespace sluice::partition_server {

namespace fs = std::filesystem;

result<std::unique_ptr<partition_state>> partition_state::open(fs::path dir, std::string topic,
                                                               std::int32_t partition, config::log_config cfg) {
  auto log = storage::partition_log::open(dir, cfg);
  if (!log) return log.error();
  return std::unique_ptr<partition_state>(
      new partition_state(std::move(dir), std::move(topic), partition, std::move(log.value())));
}

partition_state::partition_state(fs::path dir, std::string topic, std::int32_t partition,
                                 std::unique_ptr<storage::partition_log> log)
    : dir_(std::move(dir)), topic_(std::move(topic)), partition_(partition), log_(std::move(log)) {}

partition_state::~partition_state() { close(); }

std::int64_t partition_state::log_end_offset() const { return log_ ? log_->log_end_offset() : -1; }
std::int64_t partition_state::log_start_offset() const { return log_ ? log_->log_start_offset() : -1; }

void partition_state::set_leadership(bool leader, std::int32_t leader_epoch) {
  leader_ = leader;
  leader_epoch_ = leader_epoch;
}

void partition_state::update_config(config::log_config cfg) {
  if (log_) log_->update_config(cfg);
}

pv1::PartitionError partition_state::check_leader(std::int32_t current_leader_epoch) const {
  if (!log_) return pv1::STORAGE_ERROR;
  if (!leader_) return pv1::NOT_LEADER;
  if (current_leader_epoch >= 0) {
    if (current_leader_epoch < leader_epoch_) return pv1::FENCED_LEADER_EPOCH;
    if (current_leader_epoch > leader_epoch_) return pv1::UNKNOWN_LEADER_EPOCH;
  }
  return pv1::PARTITION_OK;
}

append_outcome partition_state::append(std::span<std::byte> batches, std::int64_t now_ms) {
  append_outcome out;
  auto& probe = partition_probe::get();
  out.error = check_leader(-1);
  if (out.error == pv1::PARTITION_OK && batches.empty()) {
    out.error = pv1::CORRUPT_MESSAGE;
    out.message = "no record batch";
  }
  if (out.error != pv1::PARTITION_OK) {
    out.log_start_offset = log_start_offset();
    probe.produce_errors.add();
    return out;
  }
  auto r = log_->append(batches, leader_epoch_, now_ms);
  out.error = map_append_error(r.error);
  out.message = std::move(r.message);
  out.log_start_offset = r.log_start_offset;
  if (out.error != pv1::PARTITION_OK) {
    probe.produce_errors.add();
    if (out.error == pv1::STORAGE_ERROR)
      log()->warn("[{}/{}] append failed: {}", topic_, partition_, out.message);
    return out;
  }
  out.base_offset = r.base_offset;
  out.last_offset = r.last_offset;
  out.log_append_time_ms = r.log_append_time_ms;
  probe.produced_bytes.add(batches.size());
  if (r.last_offset >= r.base_offset) probe.produced_records.add(static_cast<std::uint64_t>(r.last_offset - r.base_offset + 1));
  if (!waiters_.empty()) {
    for (auto& w : waiters_) w->add_bytes(batches.size());
    drop_fired_waiters();
  }
  return out;
}

read_outcome partition_state::read(std::int64_t offset, std::int32_t current_leader_epoch, std::int32_t max_bytes,
                                   bool min_one, const sink& into) {
  read_outcome out;
  out.error = check_leader(current_leader_epoch);
  if (out.error != pv1::PARTITION_OK) return out;
  const std::int64_t start = log_->log_start_offset();
  const std::int64_t end = log_->log_end_offset();
  out.log_start_offset = start;
  out.high_watermark = end;
  out.last_stable_offset = end;
  if (offset < start || offset > end) {
    out.error = pv1::OFFSET_OUT_OF_RANGE;
    return out;
  }
  if (offset == end || (max_bytes <= 0 && !min_one)) return out;
  auto r = log_->read(offset, std::max(max_bytes, 0), min_one, into);
  out.log_start_offset = r.log_start_offset;
  out.high_watermark = r.log_end_offset;
  out.last_stable_offset = r.log_end_offset;
  if (r.offset_out_of_range) {
    out.error = pv1::OFFSET_OUT_OF_RANGE;
    return out;
  }
  out.bytes = r.bytes;
  partition_probe::get().fetch_bytes.add(r.bytes);
  return out;
}

offset_outcome partition_state::list_offset(std::int64_t timestamp, std::int32_t current_leader_epoch) {
  offset_outcome out;
  out.error = check_leader(current_leader_epoch);
  if (out.error != pv1::PARTITION_OK) return out;
  out.leader_epoch = leader_epoch_;
  if (timestamp == -1) {
    out.offset = log_->log_end_offset();
  } else if (timestamp == -2) {
    out.offset = log_->log_start_offset();
  } else if (timestamp == -3) {
    auto m = log_->max_timestamp();
    out.offset = m.offset;
    out.timestamp = m.timestamp;
  } else if (timestamp >= 0) {
    auto m = log_->offset_for_timestamp(timestamp);
    out.offset = m.offset;
    out.timestamp = m.timestamp;
  } else {
    // -4 (earliest local) equals earliest without tiered storage; anything
    // else is a request this server does not understand.
    if (timestamp == -4) {
      out.offset = log_->log_start_offset();
    } else {
      out.error = pv1::INVALID_REQUEST;
      out.leader_epoch = -1;
    }
  }
  return out;
}

void partition_state::watch(std::shared_ptr<fetch_waiter> waiter, std::int64_t end_offset_seen) {
  drop_fired_waiters();
  if (!log_ || log_->log_end_offset() != end_offset_seen) {
    // Appended (or gone) between the fetch's read and now: its bytes were
    // never counted, so let the fetch look again rather than miss them.
    waiter->wake();
    return;
  }
  waiters_.push_back(std::move(waiter));
}

void partition_state::drop_fired_waiters() {
  std::erase_if(waiters_, [](const std::shared_ptr<fetch_waiter>& w) { return w->done(); });
}

std::size_t partition_state::apply_retention(std::int64_t now_ms) {
  if (!log_) return 0;
  const std::size_t deleted = log_->apply_retention(now_ms);
  if (deleted > 0)
    log()->info("[{}/{}] retention deleted {} segment(s); log start offset now {}", topic_, partition_, deleted,
                log_->log_start_offset());
  return deleted;
}

result<void> partition_state::flush() {
  if (!log_) return success();
  return log_->flush();
}

void partition_state::close() {
  for (auto& w : waiters_) w->wake();  // answer parked fetches now, not at their timeout
  waiters_.clear();
  if (!log_) return;
  if (auto f = log_->flush(); !f)
    log()->warn("[{}/{}] flush on close failed: {}", topic_, partition_, f.error().message());
  log_->close();
  log_.reset();
}

void partition_state::close_and_remove() {
  close();
  std::error_code ec;
  fs::remove_all(dir_, ec);
  if (ec) log()->warn("[{}/{}] cannot remove {}: {}", topic_, partition_, dir_.string(), ec.message());
}

}  // namespace sluice::partition_server
