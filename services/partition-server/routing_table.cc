#include "services/partition-server/routing_table.h"

namespace sluice::partition_server {

routes::target routes::find(const std::string& topic, std::int32_t partition) const {
  auto it = topics.find(topic);
  if (it == topics.end() || partition < 0 || static_cast<std::size_t>(partition) >= it->second.actors.size())
    return {caf::actor{}, pv1::UNKNOWN_PARTITION};
  const auto idx = static_cast<std::size_t>(partition);
  if (it->second.actors[idx]) return {it->second.actors[idx], pv1::PARTITION_OK};
  const std::int32_t leader = it->second.leaders[idx];
  if (leader >= 0 && leader != node_id) return {caf::actor{}, pv1::NOT_LEADER};
  return {caf::actor{}, pv1::UNKNOWN_PARTITION};
}

}  // namespace sluice::partition_server
