#pragma once
// Which actor serves which partition, readable from NNG threads.
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include <caf/actor.hpp>

#include "common/base/types.h"
#include "partition.pb.h"

namespace sluice::partition_server {

namespace pv1 = sluice::partition::v1;

/// An immutable map from (topic, partition) to the hosting actor, plus what
/// to answer for partitions that are not hosted here. Built by the
/// replica_manager after every metadata view; never changed afterwards.
struct routes {
  struct topic_routes {
    std::vector<caf::actor> actors;  // by partition index; null = not hosted here
    std::vector<node_id> leaders;    // by partition index, from the metadata
  };
  node_id this_node = no_node;
  std::unordered_map<std::string, topic_routes> topics;
  std::vector<shard_epoch> group_shard_epochs;  // by group shard (= partition of __consumer_offsets and of
                                                // __transaction_state), from the metadata

  /// Where a request for (topic, partition) goes: an actor, or the error to
  /// answer right away (UNKNOWN_PARTITION for topics/partitions the metadata
  /// does not have or that are not open here yet, NOT_LEADER when another
  /// node leads it).
  struct target {
    caf::actor actor;
    pv1::PartitionError error = pv1::PARTITION_OK;
  };
  target find(const std::string& topic, std::int32_t partition) const;

  /// Every partition with an actor here, leader or follower, sorted by
  /// topic then partition (DescribeLogDirs with Kafka's null topics).
  std::vector<std::pair<std::string, std::int32_t>> hosted() const;

  /// The fence on a group coordinator's shard (see partition.proto), for
  /// __consumer_offsets and __transaction_state alike: a write with an epoch
  /// older than the metadata's, or a read with one newer, gets
  /// GROUP_SHARD_EPOCH_MISMATCH.
  pv1::PartitionError check_group_shard(const std::string& topic, std::int32_t partition, shard_epoch epoch,
                                        bool write) const;
};

/// Where each partition of one request goes, in request order: the actor,
/// or null with the error to answer in `errors`.
struct routed_partitions {
  std::vector<caf::actor> actors;
  std::vector<pv1::PartitionError> errors;
  std::size_t routed = 0;  // how many actors are not null
};

/// Routes every entry of `partitions` (protobuf entries with topic() and
/// partition()) through `table`; with `epoch`, through the group shard
/// fence too (`write`: an append, else a read).
inline constexpr shard_epoch no_shard_epoch{-1};  // epochs start at 1
template <class Partitions>
routed_partitions route_all(const routes& table, const Partitions& partitions, shard_epoch epoch = no_shard_epoch,
                            bool write = false) {
  routed_partitions out;
  out.actors.reserve(static_cast<std::size_t>(partitions.size()));
  out.errors.reserve(static_cast<std::size_t>(partitions.size()));
  for (const auto& p : partitions) {
    auto t = table.find(p.topic(), p.partition());
    if (t.actor && epoch != no_shard_epoch) {
      if (auto e = table.check_group_shard(p.topic(), p.partition(), epoch, write); e != pv1::PARTITION_OK)
        t = {caf::actor{}, e};
    }
    if (t.actor) ++out.routed;
    out.actors.push_back(std::move(t.actor));
    out.errors.push_back(t.error);
  }
  return out;
}

/// Holder of the current routes: the manager publishes, RPC handlers read.
/// A mutex around a shared_ptr swap: readers hold it for a pointer copy only.
class routing_table {
 public:
  routing_table() : current_(std::make_shared<const routes>()) {}
  std::shared_ptr<const routes> current() const {
    std::lock_guard lock(mutex_);
    return current_;
  }
  void publish(std::shared_ptr<const routes> next) {
    std::lock_guard lock(mutex_);
    current_ = std::move(next);
  }

 private:
  mutable std::mutex mutex_;
  std::shared_ptr<const routes> current_;
};

}  // namespace sluice::partition_server
