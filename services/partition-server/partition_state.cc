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

namespace {

// Node ids as the metadata's protobuf lists them.
std::vector<node_id> node_ids(const google::protobuf::RepeatedField<std::int32_t>& raw) {
  std::vector<node_id> out;
  out.reserve(static_cast<std::size_t>(raw.size()));
  for (auto id : raw) out.emplace_back(id);
  return out;
}

}  // namespace

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

offset partition_state::log_end_offset() const { return log_ ? log_->log_end_offset() : no_offset; }
offset partition_state::log_start_offset() const { return log_ ? log_->log_start_offset() : no_offset; }

void partition_state::set_leadership(bool leader, sluice::leader_epoch epoch) {
  mv1::PartitionInfo info;
  info.set_partition(partition_);
  info.add_replicas(0);
  info.add_isr(0);
  info.set_leader(leader ? 0 : 1);
  info.set_leader_epoch(epoch());
  set_partition_info(info, node_id{0}, 0);
}

void partition_state::set_partition_info(const mv1::PartitionInfo& info, node_id self, std::int64_t now_ms) {
  const bool was_leader = leader_;
  const sluice::leader_epoch old_epoch = leader_epoch_;
  const sluice::leader_epoch epoch{info.leader_epoch()};
  // Never step back: a late view or an answer older than what we applied.
  if (epoch < leader_epoch_ || (epoch == leader_epoch_ && info.partition_epoch() < info_.partition_epoch())) return;
  info_ = info;
  leader_ = node_id{info.leader()} == self && self >= node_id{0};
  leader_epoch_ = epoch;
  const std::vector<node_id> replicas = node_ids(info.replicas());
  const std::vector<node_id> isr = node_ids(info.isr());
  if (isr_in_flight_ && *isr_in_flight_ == isr) isr_in_flight_.reset();
  if (!leader_) {
    if (was_leader) {
      commits_.fail_all(pv1::NOT_LEADER);
      deletions_.fail_all(pv1::NOT_LEADER);
    }
    isr_in_flight_.reset();
    if (log_) hw_ = std::min(hw_, log_->log_end_offset());
    return;
  }
  if (!was_leader || old_epoch != leader_epoch_) {
    tracker_.reset(self, replicas, isr, now_ms);
    epoch_start_offset_ = log_ ? log_->log_end_offset() : offset{0};
    isr_in_flight_.reset();
  } else {
    tracker_.set_replicas(replicas, now_ms);
    tracker_.set_isr(isr);
  }
  maybe_advance_hw();
  maybe_complete_deletions();  // a follower left the ISR: it holds a deletion no more
}

void partition_state::update_config(config::log_config cfg) {
  cfg_ = cfg;
  if (log_) log_->update_config(cfg);
}

std::int32_t partition_state::min_insync() const {
  return cfg_.min_insync_replicas_set ? cfg_.min_insync_replicas : repl_.default_min_insync;
}

std::vector<node_id> partition_state::pending_additions() const {
  std::vector<node_id> out;
  if (!isr_in_flight_) return out;
  for (auto r : *isr_in_flight_)
    if (std::find(info_.isr().begin(), info_.isr().end(), r()) == info_.isr().end()) out.push_back(r);
  return out;
}

void partition_state::maybe_advance_hw() {
  if (!leader_ || !log_) return;
  const offset hw = tracker_.high_watermark(log_->log_end_offset(), pending_additions());
  if (hw > hw_) set_hw(hw);
}

void partition_state::set_hw(offset hw) {
  hw_ = hw;
  log_->on_high_watermark(hw_);
  parked_.on_high_watermark(hw_);
  parked_.on_last_stable_offset(last_stable_offset());
  commits_.complete_up_to(hw_, commit_answer());
}

std::optional<offset> partition_state::first_unstable_offset() const {
  return log_ ? log_->producers().first_unstable_offset() : std::nullopt;
}

offset partition_state::last_stable_offset() const {
  const auto first_unstable = first_unstable_offset();
  if (!first_unstable || *first_unstable >= hw_) return hw_;
  // A transaction opened below a DeleteRecords offset holds the LSO at the
  // log start (Kafka's maybeIncrementFirstUnstableOffset).
  return std::max(*first_unstable, std::min(log_start_offset(), hw_));
}

pv1::PartitionError partition_state::commit_answer() const {
  return isr_size() >= static_cast<std::size_t>(min_insync()) ? pv1::PARTITION_OK
                                                              : pv1::NOT_ENOUGH_REPLICAS_AFTER_APPEND;
}

void partition_state::await_commit(offset end_offset, std::int64_t deadline_ms, commit_callback done) {
  if (!leader_) {
    done(pv1::NOT_LEADER);
    return;
  }
  if (end_offset <= hw_) {
    done(commit_answer());
    return;
  }
  commits_.add(end_offset, deadline_ms, std::move(done));
}

std::int64_t partition_state::expire_commits(std::int64_t now_ms) {
  const std::int64_t commits = commits_.expire(now_ms);
  const std::int64_t deletions = deletions_.expire(now_ms);
  if (commits < 0 || deletions < 0) return std::max(commits, deletions);
  return std::min(commits, deletions);
}

pv1::PartitionError partition_state::check_leader(sluice::leader_epoch current_leader_epoch) const {
  if (!log_) return pv1::STORAGE_ERROR;
  if (!leader_) return pv1::NOT_LEADER;
  if (current_leader_epoch >= sluice::leader_epoch{0}) {
    if (current_leader_epoch < leader_epoch_) return pv1::FENCED_LEADER_EPOCH;
    if (current_leader_epoch > leader_epoch_) return pv1::UNKNOWN_LEADER_EPOCH;
  }
  return pv1::PARTITION_OK;
}

pv1::PartitionError partition_state::check_append(std::int32_t acks, std::string& message) const {
  const auto e = check_leader(no_leader_epoch);
  if (e != pv1::PARTITION_OK || acks != -1 || isr_size() >= static_cast<std::size_t>(min_insync())) return e;
  message = "The ISR has " + std::to_string(isr_size()) + " replicas, fewer than min.insync.replicas=" +
            std::to_string(min_insync());
  return pv1::NOT_ENOUGH_REPLICAS;
}

storage::verification_start partition_state::begin_verification(std::span<const std::byte> batches,
                                                                std::int64_t now_ms, bool supports_epoch_bump) {
  if (!leader_ || !log_) return {};
  return log_->begin_verification(batches, now_ms, supports_epoch_bump);
}

append_outcome partition_state::append(std::span<std::byte> batches, std::int64_t now_ms, std::int32_t acks,
                                       storage::append_origin origin, storage::verification_guard guard) {
  append_outcome out;
  auto& probe = partition_probe::get();
  out.error = check_append(acks, out.message);
  if (out.error != pv1::PARTITION_OK) {
    out.log_start_offset = log_start_offset();
    probe.produce_errors.add();
    return out;
  }
  // Every client append on a leader is held to verification (Kafka's
  // transaction.partition.verification.enable, on by default); followers
  // and recovery never are, and coordinators verify their own writes.
  const storage::txn_verification verification{.required = origin == storage::append_origin::client, .guard = guard};
  auto r = log_->append(batches, leader_epoch_, now_ms, origin, verification);
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
  if (r.duplicate) return out;  // written before: nothing new to count or wake for
  probe.produced_bytes.add(batches.size());
  if (r.last_offset >= r.base_offset) probe.produced_records.add(static_cast<std::uint64_t>(r.last_offset - r.base_offset + 1));
  parked_.on_append(r.last_offset + 1, batches.size());
  maybe_advance_hw();
  return out;
}

read_outcome partition_state::read(offset from, sluice::leader_epoch current_leader_epoch, std::int32_t max_bytes,
                                   bool min_one, const sink& into, const reader& who) {
  read_outcome out;
  out.error = check_leader(current_leader_epoch);
  if (out.error != pv1::PARTITION_OK) return out;
  const offset start = log_->log_start_offset();
  const offset end = log_->log_end_offset();
  out.log_start_offset = start;
  out.log_end_offset = end;
  if (who.is_replica()) {
    // Kafka's divergence check (KIP-595 style): the follower's last epoch
    // must end, here, at or after where it wants to continue.
    if (who.last_fetched_epoch >= sluice::leader_epoch{0}) {
      auto e = log_->end_offset_for_epoch(who.last_fetched_epoch);
      if (e.epoch == no_leader_epoch) e = {who.last_fetched_epoch, end};
      if (e.epoch < who.last_fetched_epoch || e.end_offset < from) {
        out.diverging_epoch = e.epoch;
        out.diverging_end_offset = e.end_offset;
        out.high_watermark = hw_;
        out.last_stable_offset = last_stable_offset();
        return out;
      }
    }
    if (from >= start && from <= end && tracker_.on_fetch(who.replica_id, from, end, who.now_ms, who.log_start_offset)) {
      maybe_advance_hw();
      maybe_complete_deletions();
    }
  }
  out.high_watermark = hw_;
  out.last_stable_offset = last_stable_offset();
  if (from < start || from > end) {
    out.error = pv1::OFFSET_OUT_OF_RANGE;
    return out;
  }
  const bool committed = who.read_committed && !who.is_replica();
  const offset bound = who.is_replica() ? end : committed ? out.last_stable_offset : hw_;
  if (from >= bound || (max_bytes <= 0 && !min_one)) return out;
  auto r = committed ? log_->read_committed(from, std::max(max_bytes, 0), min_one, into, bound, out.aborted)
                     : log_->read(from, std::max(max_bytes, 0), min_one, into, bound);
  out.log_start_offset = r.log_start_offset;
  if (r.offset_out_of_range) {
    out.error = pv1::OFFSET_OUT_OF_RANGE;
    return out;
  }
  out.bytes = r.bytes;
  partition_probe::get().fetch_bytes.add(r.bytes);
  return out;
}

offset_outcome partition_state::list_offset(std::int64_t timestamp, sluice::leader_epoch current_leader_epoch,
                                            bool read_committed) {
  offset_outcome out;
  out.error = check_leader(current_leader_epoch);
  if (out.error != pv1::PARTITION_OK) return out;
  out.leader_epoch = leader_epoch_;
  if (timestamp == -1) {
    // Consumers' "latest" is what they may read: the HW, or the LSO.
    out.offset = read_committed ? last_stable_offset() : hw_;
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
      out.leader_epoch = no_leader_epoch;
    }
  }
  return out;
}

void partition_state::watch(std::shared_ptr<fetch_waiter> waiter, offset end_offset_seen, bool replica,
                            bool read_committed) {
  // Gone (closed) counts as moved: the fetch looks again and gets its error.
  if (read_committed && !replica) {
    parked_.watch_committed(std::move(waiter), end_offset_seen, log_ ? last_stable_offset() : no_offset);
    return;
  }
  const offset now = !log_ ? no_offset : replica ? log_->log_end_offset() : hw_;
  parked_.watch(std::move(waiter), replica, end_offset_seen, now);
}

// --- follower side (follower_log) ------------------------------------------------

follower_position partition_state::position() const {
  follower_position p;
  p.log_end_offset = log_end_offset();
  p.log_start_offset = log_start_offset();
  p.last_fetched_epoch = log_ ? log_->latest_epoch() : no_leader_epoch;
  p.leader_epoch = leader_epoch_;
  p.leader = node_id{info_.leader()};
  return p;
}

pv1::PartitionError partition_state::check_follower() const {
  if (!log_) return pv1::STORAGE_ERROR;
  if (leader_) return pv1::NOT_LEADER;  // we lead now: a late answer for the old leadership
  return pv1::PARTITION_OK;
}

follower_log partition_state::follower() { return follower_log(*log_, topic_, partition_); }

pv1::PartitionError partition_state::apply_fetched(std::span<const std::byte> batches, offset leader_hw,
                                                   offset leader_log_start, std::int64_t now_ms) {
  if (auto e = check_follower(); e != pv1::PARTITION_OK) return e;
  if (!batches.empty()) {
    if (auto e = follower().append_fetched(batches, now_ms); e != pv1::PARTITION_OK) return e;
  }
  hw_ = std::max(hw_, std::min(leader_hw, log_->log_end_offset()));
  log_->on_high_watermark(hw_);
  return follower().follow_log_start(leader_log_start, hw_);
}

pv1::PartitionError partition_state::truncate_diverging(sluice::leader_epoch epoch, offset end_offset) {
  if (auto e = check_follower(); e != pv1::PARTITION_OK) return e;
  if (auto e = follower().truncate_diverging(epoch, end_offset); e != pv1::PARTITION_OK) return e;
  hw_ = std::min(hw_, log_->log_end_offset());
  return pv1::PARTITION_OK;
}

pv1::PartitionError partition_state::reset_to_leader_range(offset leader_start, offset leader_end) {
  if (auto e = check_follower(); e != pv1::PARTITION_OK) return e;
  if (auto e = follower().reset_to_leader_range(leader_start, leader_end); e != pv1::PARTITION_OK) return e;
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
  c.set_leader_epoch(leader_epoch_());
  c.set_partition_epoch(info_.partition_epoch());
  for (auto r : *wanted) c.add_new_isr(r());
  log()->info("[{}/{}] proposing ISR {} (was {})", topic_, partition_, fmt::join(*wanted, ","),
              fmt::join(info_.isr(), ","));
  return c;
}

void partition_state::on_isr_result(const cv1::PartitionIsrResult& r, node_id self, std::int64_t now_ms) {
  isr_in_flight_.reset();
  if (r.has_partition_info()) set_partition_info(r.partition_info(), self, now_ms);
  if (r.error() != cv1::COORDINATOR_OK) isr_retry_after_ms_ = now_ms + 500;
  if (r.error() != cv1::COORDINATOR_OK)
    log()->info("[{}/{}] ISR change refused: {}", topic_, partition_, cv1::CoordinatorError_Name(r.error()));
}

pv1::EpochEndOffset partition_state::end_offset_for_epoch(sluice::leader_epoch epoch,
                                                          sluice::leader_epoch current_leader_epoch) const {
  pv1::EpochEndOffset out;
  out.set_topic(topic_);
  out.set_partition(partition_);
  out.set_leader_epoch(-1);
  out.set_end_offset(-1);
  out.set_error(check_leader(current_leader_epoch));
  if (out.error() != pv1::PARTITION_OK) return out;
  auto e = log_->end_offset_for_epoch(epoch);
  out.set_leader_epoch(e.epoch());
  out.set_end_offset(e.end_offset());
  return out;
}

pv1::PartitionProducers partition_state::describe_producers() const {
  pv1::PartitionProducers out;
  out.set_topic(topic_);
  out.set_partition(partition_);
  out.set_error(check_leader(no_leader_epoch));
  if (out.error() != pv1::PARTITION_OK) return out;
  for (const auto& [id, e] : log_->producers().producers()) {
    auto* p = out.add_producers();
    p->set_producer_id(id);
    p->set_producer_epoch(e.epoch);
    p->set_last_sequence(e.last_seq());
    p->set_last_timestamp(e.last_timestamp);
    p->set_coordinator_epoch(e.coordinator_epoch);
    p->set_current_txn_start_offset(e.txn_first_offset ? (*e.txn_first_offset)() : -1);
  }
  return out;
}

pv1::ReplicaLogDir partition_state::describe_log_dir() const {
  pv1::ReplicaLogDir out;
  out.set_topic(topic_);
  out.set_partition(partition_);
  if (!log_) {
    out.set_error(pv1::STORAGE_ERROR);
    out.set_size_bytes(-1);
    return out;
  }
  out.set_size_bytes(static_cast<std::int64_t>(log_->size_in_bytes()));
  // Kafka's getLogEndOffsetLag for a current replica: the HW never passes the
  // LEO here, so this is 0 unless that ever changes.
  out.set_offset_lag(std::max<std::int64_t>(hw_() - log_->log_end_offset()(), 0));
  return out;
}

std::size_t partition_state::apply_retention(std::int64_t now_ms) {
  if (!log_) return 0;
  const std::size_t deleted = log_->apply_retention(now_ms);
  log_->remove_expired_producers(now_ms, repl_.producer_id_expiration_ms);
  maybe_complete_deletions();
  if (deleted > 0)
    log()->info("[{}/{}] retention deleted {} segment(s); log start offset now {}", topic_, partition_, deleted,
                log_->log_start_offset());
  // Compaction on the same tick, only below the high watermark: a record a
  // new leader might not have must not decide which older ones are removed;
  // and below the LSO (Kafka): every transaction there is decided.
  const auto cleaned = log_->clean(now_ms, last_stable_offset());
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
  parked_.wake_all();
  commits_.fail_all(pv1::NOT_LEADER);
  deletions_.fail_all(pv1::NOT_LEADER);
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
