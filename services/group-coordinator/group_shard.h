#pragma once
// Everything one partition of __consumer_offsets holds: its groups (classic
// and KIP-848) and their committed offsets. A group coordinator serves the
// shards it owns; a new owner rebuilds a shard by replaying the partition
// (apply()) before serving it.
//
// Writes go through `record_log` (the partition, replicated, acks=all);
// memory changes only once a write is durable, so what clients were told
// always matches what a new owner will replay. Not thread-safe.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "services/group-coordinator/classic/classic_group.h"
#include "services/group-coordinator/consumer/consumer_group.h"
#include "services/group-coordinator/records/offsets_records.h"

namespace sluice::group_coordinator {

/// Appends records to this shard's partition of __consumer_offsets and calls
/// `done` once they are durable (or failed), on the owner's actor.
class record_log {
 public:
  struct record {
    std::string key;
    std::optional<std::string> value;  // nullopt: tombstone
  };
  virtual ~record_log() = default;
  /// `shard_epoch`: the coordinator's epoch for our ownership of the
  /// partition; the write is refused if the shard has a newer one.
  virtual void append(std::int32_t partition, std::int64_t shard_epoch, std::vector<record> records,
                      std::function<void(error_code)> done) = 0;
};

using topic_partition = std::pair<std::string, std::int32_t>;
using group_offsets = std::map<topic_partition, offset_value>;

class group_shard {
 public:
  group_shard(std::int32_t partition, std::int64_t epoch, const group_options& options, record_log& log);

  std::int32_t partition() const noexcept { return partition_; }
  std::int64_t epoch() const noexcept { return epoch_; }

  /// Replay: one record of the partition, in log order.
  void apply(std::string_view key, std::optional<std::string_view> value, time_point now);

  classic_group* classic(const std::string& group);
  consumer_group* consumer(const std::string& group);
  /// Creates the group (empty) when it does not exist; nullptr when the id
  /// belongs to a non-empty group of the other protocol.
  classic_group* classic_or_create(const std::string& group);
  consumer_group* consumer_or_create(const std::string& group);
  bool exists(const std::string& group) const;

  /// Writes the offsets; on success they become visible. `done` gets the outcome.
  void commit(const std::string& group, std::vector<std::pair<topic_partition, offset_value>> offsets,
              std::function<void(error_code)> done);
  /// nullptr when the group has no committed offsets.
  const group_offsets* offsets(const std::string& group) const;
  void delete_offsets(const std::string& group, std::vector<topic_partition> partitions,
                      std::function<void(error_code)> done);
  /// DeleteGroups: tombstones for the group and all its offsets.
  void delete_group(const std::string& group, std::function<void(error_code)> done);

  /// Every group id with its protocol type and state, for ListGroups.
  struct listing {
    std::string group_id;
    std::string protocol_type;
    std::string state;
    std::string type;  // "classic" or "consumer"
  };
  std::vector<listing> list() const;

  void tick(const topic_catalog& topics, time_point now);
  /// Kafka's offsets.retention.minutes (KIP-211): a committed offset goes (a
  /// tombstone is written) when nobody in its group has consumed its topic
  /// for the retention: the group is empty, or no member subscribes to it,
  /// and both the commit and the group's last activity seen are older.
  /// `wall_now_ms` is the wall clock, as commit timestamps are.
  /// Returns how many offsets it is removing.
  std::size_t expire_offsets(std::int64_t wall_now_ms, const topic_catalog& topics);
  /// Refuses every waiting request (the shard moves away or the service stops).
  void close();

 private:
  void store_classic(const classic_group& g, std::function<void(error_code)> done);
  void restore_classic(const std::string& group, group_value v, time_point now);

  std::int32_t partition_;
  std::int64_t epoch_;
  const group_options& options_;
  record_log& log_;
  std::map<std::string, std::unique_ptr<classic_group>> classic_;
  std::map<std::string, std::unique_ptr<consumer_group>> consumer_;
  std::map<std::string, group_offsets> offsets_;
  std::map<std::string, std::int64_t> last_active_ms_;  // wall time a retention check last saw members
  std::int64_t first_check_ms_ = -1;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);  // write callbacks outliving the shard do nothing
};

}  // namespace sluice::group_coordinator
