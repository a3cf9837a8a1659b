#include "services/partition-server/routing_table.h"

#include <algorithm>

#include "common/cluster/group_shards.h"

namespace sluice::partition_server {

routes::target routes::find(const std::string& topic, std::int32_t partition) const {
  auto it = topics.find(topic);
  if (it == topics.end() || partition < 0 || static_cast<std::size_t>(partition) >= it->second.actors.size())
    return {caf::actor{}, pv1::UNKNOWN_PARTITION};
  const auto idx = static_cast<std::size_t>(partition);
  if (it->second.actors[idx]) return {it->second.actors[idx], pv1::PARTITION_OK};
  const node_id leader = it->second.leaders[idx];
  if (leader >= node_id{0} && leader != this_node) return {caf::actor{}, pv1::NOT_LEADER};
  return {caf::actor{}, pv1::UNKNOWN_PARTITION};
}

std::vector<std::pair<std::string, std::int32_t>> routes::hosted() const {
  std::vector<std::pair<std::string, std::int32_t>> out;
  for (const auto& [topic, t] : topics)
    for (std::size_t p = 0; p < t.actors.size(); ++p)
      if (t.actors[p]) out.emplace_back(topic, static_cast<std::int32_t>(p));
  std::sort(out.begin(), out.end());
  return out;
}

pv1::PartitionError routes::check_group_shard(const std::string& topic, std::int32_t partition, shard_epoch epoch,
                                             bool write) const {
  // Partition p of __transaction_state belongs to group shard p like
  // partition p of __consumer_offsets: one owner, one epoch, one fence.
  if (!cluster::is_group_sharded_topic(topic) || partition < 0) return pv1::PARTITION_OK;
  const auto idx = static_cast<std::size_t>(partition);
  const shard_epoch current = idx < group_shard_epochs.size() ? group_shard_epochs[idx] : shard_epoch{0};
  const bool fenced = write ? epoch < current : epoch > current;
  return fenced ? pv1::GROUP_SHARD_EPOCH_MISMATCH : pv1::PARTITION_OK;
}

}  // namespace sluice::partition_server
