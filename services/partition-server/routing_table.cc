#include "services/partition-server/routing_table.h"

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

namespace {
// The transaction coordinator's log: its partition p belongs to the owner of
// __consumer_offsets partition p, with the same shard epoch.
constexpr std::string_view transaction_state_topic = "__transaction_state";
}  // namespace

pv1::PartitionError routes::check_group_shard(const std::string& topic, std::int32_t partition, shard_epoch epoch,
                                             bool write) const {
  if ((topic != cluster::offsets_topic && topic != transaction_state_topic) || partition < 0) return pv1::PARTITION_OK;
  const auto idx = static_cast<std::size_t>(partition);
  const shard_epoch current = idx < group_shard_epochs.size() ? group_shard_epochs[idx] : shard_epoch{0};
  const bool fenced = write ? epoch < current : epoch > current;
  return fenced ? pv1::GROUP_SHARD_EPOCH_MISMATCH : pv1::PARTITION_OK;
}

}  // namespace sluice::partition_server
