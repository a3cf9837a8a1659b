#include "services/partition-server/partition_state.h"

#include <algorithm>
#include <system_error>

#include <fmt/ranges.h>

#include "services/partition-server/errors.h"
#include "services/partition-server/logger.h"
#include "services/partition-server/partition_probe.h"
#include "services/partition-server/storage/partition_log.h"

namespace sluice::partition_server {

namespace fs = std::filesystem;

result<std::unique_ptr<partition_state>> partition_state::open(fs::path dir, std::string topic,
                                                               std::int32_t partition, config::log_config cfg,
                                                               std::int64_t now_ms) {
  auto log = storage::partition_log::open(dir, cfg, now_ms);
  if (!log) return log.error();
  std::unique_ptr<partition_state> p(
      new partition_state(std::move(dir), std::move(topic), partition, std::move(log.value())));
  p->cfg_ = cfg;
  // Not checkpointed: start low and let the ISR (just us, or followers'
  // fetches) raise it, so nothing uncommitted is ever shown to consumers.
  p->hw_ = p->log_->log_start_offset();
  return p;
}

partition_state::partition_state(fs::path dir, std::string topic, std::int32_t partition,
                                 std::unique_ptr<storage::partition_log> log)
    : dir_(std::move(dir)), topic_(std::move(topic)), partition_(partition), log_(std::move(log)) {}

partition_state::~partition_state() { close(); }

std::int64_t partition_state::log_end_offset() const { return log_ ? log_->log_end_offset() : -1; }
std::int64_t partition_state::log_start_offset() const { return log_ ? log_->log_start_offset() : -1; }

void partition_state::set_leadership(bool leader, std::int32_t leader_epoch) {
  mv1::PartitionInfo info;
  info.set_partition(partition_);
  info.add_replicas(0);
  info.add_isr(0);
  info.set_leader(leader ? 0 : 1);
  info.set_leader_epoch(leader_epoch);
  set_partition_info(info, 0, 0);
}

void partition_state::set_partition_info(const mv1::PartitionInfo& info, std::int32_t self, std::int64_t now_ms) {
  const bool was_leader = leader_;
  const std::int32_t old_epoch = leader_epoch_;
  // Never step back: a late view or an answer older than what we applied.
  if (info.leader_epoch() < leader_epoch_ ||
      (info.leader_epoch() == leader_epoch_ && info.partition_epoch() < info_.partition_epoch()))
    return;
  self_ = self;
  info_ = info;
  leader_ = info.leader() == self && self >= 0;
  leader_epoch_ = info.leader_epoch();
  std::vector<std::int32_t> replicas(info.replicas().begin(), info.replicas().end());
  std::vector<std::int32_t> isr(info.isr().begin(), info.isr().end());
  if (isr_in_flight_ && *isr_in_flight_ == isr) isr_in_flight_.reset();
  if (!leader_) {
    if (was_leader) fail_commits(pv1::NOT_LEADER);
    isr_in_flight_.reset();
    if (log_) hw_ = std::min(hw_, log_->log_end_offset());
    return;
  }
  if (!was_leader || old_epoch != leader_epoch_) {
    tracker_.reset(self, replicas, isr, now_ms);
    epoch_start_offset_ = log_ ? log_->log_end_offset() : 0;
    isr_in_flight_.reset();
  } else {
    tracker_.set_replicas(replicas, now_ms);
    tracker_.set_isr(isr);
  }
  maybe_advance_hw();
}

void partition_state::update_config(config::log_config cfg) {
  cfg_ = cfg;
  if (log_) log_->update_config(cfg);
}

std::int32_t partition_state::min_insync() const {
  return cfg_.min_insync_replicas_set ? cfg_.min_insync_replicas : repl_.default_min_insync;
}

std::vector<std::int32_t> partition_state::pending_additions() const {
  std::vector<std::int32_t> out;
  if (!isr_in_flight_) return out;
  for (auto r : *isr_in_flight_)
    if (std::find(info_.isr().begin(), info_.isr().end(), r) == info_.isr().end()) out.push_back(r);
  return out;
}

void partition_state::maybe_advance_hw() {
  if (!leader_ || !log_) return;
  const std::int64_t hw = tracker_.high_watermark(log_->log_end_offset(), pending_additions());
  if (hw > hw_) set_hw(hw);
}

void partition_state::set_hw(std::int64_t hw) {
  hw_ = hw;
  std::size_t newly = 0;
  while (!bytes_above_hw_.empty() && bytes_above_hw_.front().first <= hw_) {
    newly += bytes_above_hw_.front().second;
    bytes_above_hw_.pop_front();
  }
  if (newly > 0 && !waiters_.empty()) {
    for (auto& w : waiters_) w->add_bytes(newly);
    drop_fired_waiters();
  }
  if (commits_.empty()) return;
  const bool enough = isr_size() >= static_cast<std::size_t>(min_insync());
  std::vector<pending_commit> keep;
  for (auto& c : commits_) {
    if (c.end_offset <= hw_)
      c.done(enough ? pv1::PARTITION_OK : pv1::NOT_ENOUGH_REPLICAS_AFTER_APPEND);
    else
      keep.push_back(std::move(c));
  }
  commits_ = std::move(keep);
}

void partition_state::fail_commits(pv1::PartitionError e) {
  auto pending = std::move(commits_);
  commits_.clear();
  for (auto& c : pending) c.done(e);
}

void partition_state::await_commit(std::int64_t end_offset, std::int64_t deadline_ms, commit_callback done) {
  if (!leader_) {
    done(pv1::NOT_LEADER);
    return;
  }
  if (end_offset <= hw_) {
    done(isr_size() >= static_cast<std::size_t>(min_insync()) ? pv1::PARTITION_OK
                                                                : pv1::NOT_ENOUGH_REPLICAS_AFTER_APPEND);
    return;
  }
  commits_.push_back({end_offset, deadline_ms, std::move(done)});
}

std::int64_t partition_state::expire_commits(std::int64_t now_ms) {
  std::vector<pending_commit> keep;
  std::vector<pending_commit> expired;
  std::int64_t next = -1;
  for (auto& c : commits_) {
    if (c.deadline_ms <= now_ms) {
      expired.push_back(std::move(c));
    } else {
      next = next < 0 ? c.deadline_ms : std::min(next, c.deadline_ms);
      keep.push_back(std::move(c));
    }
  }
  commits_ = std::move(keep);
  for (auto& c : expired) c.done(pv1::REQUEST_TIMED_OUT);
  return next;
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

append_outcome partition_state::append(std::span<std::byte> batches, std::int64_t now_ms, std::int32_t acks) {
  append_outcome out;
  auto& probe = partition_probe::get();
  out.error = check_leader(-1);
  if (out.error == pv1::PARTITION_OK && acks == -1 && isr_size() < static_cast<std::size_t>(min_insync())) {
    out.error = pv1::NOT_ENOUGH_REPLICAS;
    out.message = "The ISR has " + std::to_string(isr_size()) + " replicas, fewer than min.insync.replicas=" +
                  std::to_string(min_insync());
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
  bytes_above_hw_.emplace_back(r.last_offset + 1, batches.size());
  if (!replica_waiters_.empty()) {
    for (auto& w : replica_waiters_) w->add_bytes(batches.size());
    drop_fired_waiters();
  }
  maybe_advance_hw();
  return out;
}

read_outcome partition_state::read(std::int64_t offset, std::int32_t current_leader_epoch, std::int32_t max_bytes,
                                   bool min_one, const sink& into, const reader& who) {
  read_outcome out;
  out.error = check_leader(current_leader_epoch);
  if (out.error != pv1::PARTITION_OK) return out;
  const std::int64_t start = log_->log_start_offset();
  const std::int64_t end = log_->log_end_offset();
  out.log_start_offset = start;
  out.log_end_offset = end;
  if (who.is_replica()) {
    // Kafka's divergence check (KIP-595 style): the follower's last epoch
    // must end, here, at or after where it wants to continue.
    if (who.last_fetched_epoch >= 0) {
      auto e = log_->end_offset_for_epoch(who.last_fetched_epoch);
      if (e.epoch < 0) e = {who.last_fetched_epoch, end};
      if (e.epoch < who.last_fetched_epoch || e.end_offset < offset) {
        out.diverging_epoch = e.epoch;
        out.diverging_end_offset = e.end_offset;
        out.high_watermark = hw_;
        out.last_stable_offset = hw_;
        return out;
      }
    }
    if (offset >= start && offset <= end && tracker_.on_fetch(who.replica_id, offset, end, who.now_ms))
      maybe_advance_hw();
  }
  out.high_watermark = hw_;
  out.last_stable_offset = hw_;
  if (offset < start || offset > end) {
    out.error = pv1::OFFSET_OUT_OF_RANGE;
    return out;
  }
  const std::int64_t bound = who.is_replica() ? end : hw_;
  if (offset >= bound || (max_bytes <= 0 && !min_one)) return out;
  auto r = log_->read(offset, std::max(max_bytes, 0), min_one, into, bound);
  out.log_start_offset = r.log_start_offset;
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
    out.offset = hw_;  // consumers' "latest" is the high watermark
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

void partition_state::watch(std::shared_ptr<fetch_waiter> waiter, std::int64_t end_offset_seen, bool replica) {
  drop_fired_waiters();
  const std::int64_t now = !log_ ? -1 : replica ? log_->log_end_offset() : hw_;
  if (now != end_offset_seen) {
    // Moved (or gone) between the fetch's read and now: its bytes were
    // never counted, so let the fetch look again rather than miss them.
    waiter->wake();
    return;
  }
  (replica ? replica_waiters_ : waiters_).push_back(std::move(waiter));
}

void partition_state::drop_fired_waiters() {
  auto fired = [](const std::shared_ptr<fetch_waiter>& w) { return w->done(); };
  std::erase_if(waiters_, fired);
  std::erase_if(replica_waiters_, fired);
}

// --- follower side -----------------------------------------------------------

follower_position partition_state::position() const {
  follower_position p;
  p.log_end_offset = log_end_offset();
  p.last_fetched_epoch = log_ ? log_->latest_epoch() : -1;
  p.leader_epoch = leader_epoch_;
  p.leader = info_.leader();
  return p;
}

pv1::PartitionError partition_state::apply_fetched(std::span<const std::byte> batches, std::int64_t leader_hw,
                                                   std::int64_t now_ms) {
  if (!log_) return pv1::STORAGE_ERROR;
  if (leader_) return pv1::NOT_LEADER;  // we lead now: a late response from the old leader
  if (!batches.empty()) {
    auto r = log_->append_replicated(batches, now_ms);
    if (r.error != protocol::append_errc::ok) {
      log()->warn("[{}/{}] replicated append failed: {}", topic_, partition_, r.message);
      return map_append_error(r.error);
    }
  }
  hw_ = std::max(hw_, std::min(leader_hw, log_->log_end_offset()));
  return pv1::PARTITION_OK;
}

pv1::PartitionError partition_state::truncate_diverging(std::int32_t epoch, std::int64_t end_offset) {
  if (!log_) return pv1::STORAGE_ERROR;
  if (leader_) return pv1::NOT_LEADER;
  const std::int64_t leo = log_->log_end_offset();
  auto mine = log_->end_offset_for_epoch(epoch);
  std::int64_t target;
  if (epoch < 0 || mine.epoch < 0)
    target = std::min(std::max<std::int64_t>(end_offset, 0), leo);
  else if (mine.epoch != epoch)
    target = std::min(mine.end_offset, leo);  // another round will refine it
  else
    target = std::min(end_offset, mine.end_offset);
  log()->info("[{}/{}] log diverged from the leader at epoch {} (leader ends it at {}): truncating {} -> {}", topic_,
              partition_, epoch, end_offset, leo, target);
  if (auto r = log_->truncate_to(target); !r) {
    log()->error("[{}/{}] truncation failed: {}", topic_, partition_, r.error().message());
    return pv1::STORAGE_ERROR;
  }
  hw_ = std::min(hw_, log_->log_end_offset());
  return pv1::PARTITION_OK;
}

pv1::PartitionError partition_state::reset_to_leader_range(std::int64_t leader_start, std::int64_t leader_end) {
  if (!log_) return pv1::STORAGE_ERROR;
  if (leader_) return pv1::NOT_LEADER;
  const std::int64_t leo = log_->log_end_offset();
  result<void> r = success();
  if (leo < leader_start) {
    log()->info("[{}/{}] behind the leader's log start {}: restarting the log there", topic_, partition_,
                leader_start);
    r = log_->truncate_fully_and_start_at(leader_start);
  } else if (leo > leader_end && leader_end >= 0) {
    log()->info("[{}/{}] ahead of the leader's log end {}: truncating", topic_, partition_, leader_end);
    r = log_->truncate_to(leader_end);
  }
  if (!r) return pv1::STORAGE_ERROR;
  hw_ = std::min(hw_, log_->log_end_offset());
  return pv1::PARTITION_OK;
}

// --- leader side: ISR ----------------------------------------------------------

std::optional<cv1::PartitionIsrChange> partition_state::isr_proposal(std::int64_t now_ms) {
  if (!leader_ || !log_ || isr_in_flight_ || now_ms < isr_retry_after_ms_) return std::nullopt;
  auto wanted = tracker_.wanted_isr(now_ms, repl_.lag_max_ms, hw_, epoch_start_offset_);
  if (!wanted) return std::nullopt;
  isr_in_flight_ = *wanted;
  cv1::PartitionIsrChange c;
  c.set_topic(topic_);
  c.set_partition(partition_);
  c.set_leader_epoch(leader_epoch_);
  c.set_partition_epoch(info_.partition_epoch());
  for (auto r : *wanted) c.add_new_isr(r);
  log()->info("[{}/{}] proposing ISR {} (was {})", topic_, partition_, fmt::join(*wanted, ","),
              fmt::join(info_.isr(), ","));
  return c;
}

void partition_state::on_isr_result(const cv1::PartitionIsrResult& r, std::int32_t self, std::int64_t now_ms) {
  isr_in_flight_.reset();
  if (r.has_partition_info()) set_partition_info(r.partition_info(), self, now_ms);
  if (r.error() != cv1::COORDINATOR_OK) isr_retry_after_ms_ = now_ms + 500;
  if (r.error() != cv1::COORDINATOR_OK)
    log()->info("[{}/{}] ISR change refused: {}", topic_, partition_, cv1::CoordinatorError_Name(r.error()));
}

pv1::EpochEndOffset partition_state::end_offset_for_epoch(std::int32_t epoch, std::int32_t current_leader_epoch) const {
  pv1::EpochEndOffset out;
  out.set_topic(topic_);
  out.set_partition(partition_);
  out.set_leader_epoch(-1);
  out.set_end_offset(-1);
  out.set_error(check_leader(current_leader_epoch));
  if (out.error() != pv1::PARTITION_OK) return out;
  auto e = log_->end_offset_for_epoch(epoch);
  out.set_leader_epoch(e.epoch);
  out.set_end_offset(e.end_offset);
  return out;
}

std::size_t partition_state::apply_retention(std::int64_t now_ms) {
  if (!log_) return 0;
  const std::size_t deleted = log_->apply_retention(now_ms);
  if (deleted > 0)
    log()->info("[{}/{}] retention deleted {} segment(s); log start offset now {}", topic_, partition_, deleted,
                log_->log_start_offset());
  // Compaction on the same tick, only below the high watermark: a record a
  // new leader might not have must not decide which older ones are removed.
  const auto cleaned = log_->clean(now_ms, hw_);
  auto& probe = partition_probe::get();
  if (cleaned.failed) probe.cleaner_failures.add();
  if (cleaned.segments_rewritten + cleaned.segments_removed > 0) {
    probe.cleaner_runs.add();
    probe.cleaner_bytes_removed.add(cleaned.bytes_before - cleaned.bytes_after);
    log()->info("[{}/{}] log cleaner: {} -> {} bytes, {} record(s) removed, {} segment(s) rewritten, {} removed; "
                "clean up to offset {}",
                topic_, partition_, cleaned.bytes_before, cleaned.bytes_after, cleaned.records_removed,
                cleaned.segments_rewritten, cleaned.segments_removed, cleaned.first_dirty_offset);
  }
  return deleted;
}

result<void> partition_state::flush() {
  if (!log_) return success();
  return log_->flush();
}

void partition_state::close() {
  for (auto& w : waiters_) w->wake();  // answer parked fetches now, not at their timeout
  for (auto& w : replica_waiters_) w->wake();
  waiters_.clear();
  replica_waiters_.clear();
  fail_commits(pv1::NOT_LEADER);
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
