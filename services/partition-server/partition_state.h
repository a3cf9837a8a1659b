#pragma once
// One hosted replica: its log plus the leadership facts the RPCs check.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "common/base/result.h"
#include "common/config/topic_config.h"
#include "partition.pb.h"
#include "services/partition-server/fetch_waiter.h"

namespace sluice::storage { class partition_log; }

namespace sluice::partition_server {

namespace pv1 = sluice::partition::v1;

/// What an append did, in the RPC's terms.
struct append_outcome {
  pv1::PartitionError error = pv1::PARTITION_OK;
  std::string message;
  std::int64_t base_offset = -1;
  std::int64_t last_offset = -1;
  std::int64_t log_append_time_ms = -1;
  std::int64_t log_start_offset = 0;
};

/// What a read returned: the offsets a fetch reply carries and how many
/// bytes went into the sink.
struct read_outcome {
  pv1::PartitionError error = pv1::PARTITION_OK;
  std::int64_t high_watermark = -1;
  std::int64_t last_stable_offset = -1;
  std::int64_t log_start_offset = -1;
  std::size_t bytes = 0;
};

struct offset_outcome {
  pv1::PartitionError error = pv1::PARTITION_OK;
  std::int64_t timestamp = -1;
  std::int64_t offset = -1;
  std::int32_t leader_epoch = -1;
};

/// The logic of one replica, free of CAF so tests drive it directly
/// (STYLE.md §5); partition_actor only adapts messages to these calls.
///
/// Lifecycle: open() -> set_leadership() from each metadata view -> many
/// append/read/list_offset calls -> close() (or close_and_remove() when the
/// topic is deleted). Owned by exactly one actor: not thread-safe.
///
/// Replication factor 1: the high watermark and the last stable offset are
/// the log end offset. A follower (replica but not leader) refuses produce
/// and fetch with NOT_LEADER; replication will hang off that state later.
class partition_state {
 public:
  using sink = std::function<std::span<std::byte>(std::size_t)>;

  /// Opens (recovering if needed) the log in `dir`, which prepare_log_dir
  /// made ready. Starts as a non-leader at epoch -1.
  static result<std::unique_ptr<partition_state>> open(std::filesystem::path dir, std::string topic,
                                                       std::int32_t partition, config::log_config cfg);
  ~partition_state();
  partition_state(const partition_state&) = delete;
  partition_state& operator=(const partition_state&) = delete;

  const std::string& topic() const noexcept { return topic_; }
  std::int32_t partition() const noexcept { return partition_; }
  const std::filesystem::path& dir() const noexcept { return dir_; }
  bool is_leader() const noexcept { return leader_; }
  std::int32_t leader_epoch() const noexcept { return leader_epoch_; }
  std::int64_t log_end_offset() const;
  std::int64_t log_start_offset() const;

  /// From the metadata: whether this node leads the partition, at which epoch.
  void set_leadership(bool leader, std::int32_t leader_epoch);
  void update_config(config::log_config cfg);

  /// Validates, stamps (offsets, leader epoch, LogAppendTime) in place and
  /// appends `batches`; nothing is appended unless every batch is valid.
  /// Wakes parked fetches that were waiting for these bytes.
  append_outcome append(std::span<std::byte> batches, std::int64_t now_ms);

  /// Whole batches from the one holding `offset`, at most `max_bytes`
  /// (the first batch even if larger when `min_one`). `current_leader_epoch`
  /// -1 skips the epoch check.
  read_outcome read(std::int64_t offset, std::int32_t current_leader_epoch, std::int32_t max_bytes, bool min_one,
                    const sink& into);

  /// timestamp -1 latest, -2 earliest, -3 max timestamp, else the first offset
  /// whose timestamp is >= it ({-1,-1} when none).
  offset_outcome list_offset(std::int64_t timestamp, std::int32_t current_leader_epoch);

  /// Parks `waiter` until appends bring new bytes. `end_offset_seen` is the
  /// log end offset the fetch saw: if appends already moved past it (they
  /// ran between the read and this call) the waiter is woken at once.
  void watch(std::shared_ptr<fetch_waiter> waiter, std::int64_t end_offset_seen);
  std::size_t waiter_count() const noexcept { return waiters_.size(); }

  /// Deletes old segments past retention.ms / retention.bytes (moves the log
  /// start offset); returns how many were deleted.
  std::size_t apply_retention(std::int64_t now_ms);

  /// Makes appended data durable (fsync).
  result<void> flush();
  /// Flushes and closes the log; further calls answer STORAGE_ERROR.
  void close();
  /// Closes the log and deletes its directory (topic deleted or recreated).
  void close_and_remove();

 private:
  partition_state(std::filesystem::path dir, std::string topic, std::int32_t partition,
                  std::unique_ptr<storage::partition_log> log);
  /// NOT_LEADER / FENCED_LEADER_EPOCH / UNKNOWN_LEADER_EPOCH, or OK.
  pv1::PartitionError check_leader(std::int32_t current_leader_epoch) const;
  void drop_fired_waiters();

  std::filesystem::path dir_;
  std::string topic_;
  std::int32_t partition_;
  std::unique_ptr<storage::partition_log> log_;
  bool leader_ = false;
  std::int32_t leader_epoch_ = -1;
  std::vector<std::shared_ptr<fetch_waiter>> waiters_;
};

}  // namespace sluice::partition_server
