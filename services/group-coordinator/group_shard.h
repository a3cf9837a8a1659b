#pragma once
// Everything one partition of __consumer_offsets holds: its groups (classic
// and KIP-848) and their committed offsets. A group coordinator serves the
// shards it owns; a new owner rebuilds a shard by replaying the partition
// (apply()) before serving it.
//
// Writes go through `record_log` (the partition, replicated, acks=all);
// memory changes only once a write is durable, so what clients were told
// always matches what a new owner will replay. KIP-848 groups change on a
// copy that replaces the group once the records of the difference are
// durable; one such write per group at a time, later heartbeats of the
// group wait for it. Not thread-safe.
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "services/group-coordinator/classic/classic_group.h"
#include "services/group-coordinator/consumer/consumer_group.h"
#include "services/group-coordinator/record_log.h"
#include "services/group-coordinator/records/offsets_records.h"

namespace sluice::group_coordinator {

using topic_partition = std::pair<std::string, std::int32_t>;
using group_offsets = std::map<topic_partition, offset_value>;

class group_shard {
 public:
  group_shard(std::int32_t partition, std::int64_t epoch, const group_options& options, record_log& log);

  std::int32_t partition() const noexcept { return partition_; }
  std::int64_t epoch() const noexcept { return epoch_; }

  /// Replay: one record of the partition, in log order. `topics` names the
  /// topic ids of KIP-848 assignments.
  void apply(std::string_view key, std::optional<std::string_view> value, const topic_catalog& topics, time_point now);

  classic_group* classic(const std::string& group);
  consumer_group* consumer(const std::string& group);
  /// Creates the group (empty) when it does not exist; nullptr when the id
  /// belongs to a non-empty group of the other protocol.
  classic_group* classic_or_create(const std::string& group);
  consumer_group* consumer_or_create(const std::string& group);
  bool exists(const std::string& group) const;

  /// ConsumerGroupHeartbeat: runs on a copy of the group; what changed is
  /// written, and once durable the copy becomes the group and `done` gets
  /// the answer. A failed write changes nothing and answers Kafka's error
  /// (NOT_COORDINATOR, COORDINATOR_NOT_AVAILABLE, ...). GROUP_ID_NOT_FOUND
  /// when the id is a non-empty classic group. `topics` must outlive the call.
  void consumer_group_heartbeat(const std::string& group, consumer_heartbeat req, const topic_catalog& topics,
                                time_point now, std::function<void(consumer_heartbeat_result)> done);

  /// Writes the offsets; on success they become visible. `done` gets the outcome.
  void commit(const std::string& group, std::vector<std::pair<topic_partition, offset_value>> offsets,
              std::function<void(error_code)> done);
  /// nullptr when the group has no committed offsets.
  const group_offsets* offsets(const std::string& group) const;
  void delete_offsets(const std::string& group, std::vector<topic_partition> partitions,
                      std::function<void(error_code)> done);
  /// DeleteGroups: tombstones for the group and all its offsets (and, for a
  /// KIP-848 group, its records). NON_EMPTY_GROUP while a KIP-848 write of
  /// the group is under way (a member may be joining).
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
  void apply_consumer(std::string_view key, std::optional<std::string_view> value, const topic_catalog& topics,
                      time_point now);
  /// Writes `records`; once durable `next` replaces the group. `done` (may
  /// be empty) gets the outcome; close() answers it NOT_COORDINATOR.
  void write_consumer(const std::string& group, std::unique_ptr<consumer_group> next,
                      std::vector<record_log::record> records, std::function<void(error_code)> done);
  bool consumer_writing(const std::string& group) const;
  /// Runs what waited for the group's write, until one writes again.
  void next_consumer_op(const std::string& group);

  struct consumer_writes {
    bool writing = false;
    std::function<void(error_code)> in_flight;
    std::deque<std::function<void(bool run)>> waiting;  // run(false): refuse, the shard is closing
  };

  std::int32_t partition_;
  std::int64_t epoch_;
  const group_options& options_;
  record_log& log_;
  std::map<std::string, std::unique_ptr<classic_group>> classic_;
  std::map<std::string, std::unique_ptr<consumer_group>> consumer_;
  std::map<std::string, consumer_writes> consumer_writes_;  // only groups with a write under way
  std::map<std::string, group_offsets> offsets_;
  std::map<std::string, std::int64_t> last_active_ms_;  // wall time a retention check last saw members
  std::int64_t first_check_ms_ = -1;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);  // write callbacks outliving the shard do nothing
};

}  // namespace sluice::group_coordinator
