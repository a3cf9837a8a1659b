#include <algorithm>

#include "services/group-coordinator/assignors/assignment.h"

namespace sluice::group_coordinator {

group_assignment assign_range(const std::vector<member_subscription>& members, const topic_partitions& topics) {
  group_assignment out;
  for (const auto& m : members) out[m.member_id];
  for (const auto& [topic, count] : topics) {
    std::vector<std::string> subscribed;
    for (const auto& m : members)
      if (std::find(m.topics.begin(), m.topics.end(), topic) != m.topics.end()) subscribed.push_back(m.member_id);
    if (subscribed.empty()) continue;
    std::sort(subscribed.begin(), subscribed.end());
    const auto n = static_cast<std::int32_t>(subscribed.size());
    std::int32_t next = 0;
    for (std::int32_t i = 0; i < n; ++i) {
      const std::int32_t size = count / n + (i < count % n ? 1 : 0);
      if (size == 0) continue;
      auto& mine = out[subscribed[static_cast<std::size_t>(i)]][topic];
      for (std::int32_t k = 0; k < size; ++k) mine.push_back(next++);
    }
  }
  return out;
}

}  // namespace sluice::group_coordinator
