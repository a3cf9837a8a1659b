#include <algorithm>
#include <set>
#include <utility>

#include "services/group-coordinator/assignors/assignment.h"

namespace sluice::group_coordinator {

namespace {

using topic_partition = std::pair<std::string, std::int32_t>;

bool subscribed(const member_subscription& m, const std::string& topic) {
  return std::find(m.topics.begin(), m.topics.end(), topic) != m.topics.end();
}

}  // namespace

group_assignment assign_uniform(const std::vector<member_subscription>& members, const topic_partitions& topics) {
  group_assignment out;
  if (members.empty()) return out;
  std::vector<const member_subscription*> by_id;
  for (const auto& m : members) by_id.push_back(&m);
  std::sort(by_id.begin(), by_id.end(), [](auto* a, auto* b) { return a->member_id < b->member_id; });

  // Every partition some member can take, with who can take it.
  std::map<topic_partition, std::vector<std::size_t>> eligible;
  for (const auto& [topic, count] : topics)
    for (std::size_t i = 0; i < by_id.size(); ++i)
      if (subscribed(*by_id[i], topic))
        for (std::int32_t p = 0; p < count; ++p) eligible[{topic, p}].push_back(i);
  std::map<topic_partition, std::size_t> owner;
  std::vector<std::size_t> load(by_id.size(), 0);
  const std::size_t cap = (eligible.size() + by_id.size() - 1) / by_id.size();

  // 1. Stickiness: members keep what they own, up to the balanced share.
  for (std::size_t i = 0; i < by_id.size(); ++i) {
    for (const auto& [topic, parts] : by_id[i]->current) {
      for (auto p : parts) {
        auto e = eligible.find({topic, p});
        if (e == eligible.end() || owner.count(e->first) || load[i] >= cap) continue;
        if (std::find(e->second.begin(), e->second.end(), i) == e->second.end()) continue;
        owner[e->first] = i;
        ++load[i];
      }
    }
  }
  // 2. The rest, most constrained first, each to the least loaded member that can take it.
  std::vector<topic_partition> rest;
  for (const auto& [tp, who] : eligible)
    if (!owner.count(tp)) rest.push_back(tp);
  std::stable_sort(rest.begin(), rest.end(),
                   [&](const auto& a, const auto& b) { return eligible[a].size() < eligible[b].size(); });
  for (const auto& tp : rest) {
    const auto& who = eligible[tp];
    std::size_t best = who.front();
    for (auto i : who)
      if (load[i] < load[best]) best = i;
    owner[tp] = best;
    ++load[best];
  }
  // 3. Even out what stickiness left uneven: move partitions from the most to
  // the least loaded member while they differ by more than one.
  for (std::size_t round = 0; round < eligible.size(); ++round) {
    bool moved = false;
    for (auto it = owner.rbegin(); it != owner.rend() && !moved; ++it) {
      const std::size_t from = it->second;
      for (auto to : eligible[it->first]) {
        if (load[from] > load[to] + 1) {
          it->second = to;
          --load[from];
          ++load[to];
          moved = true;
          break;
        }
      }
    }
    if (!moved) break;
  }
  for (auto* m : by_id) out[m->member_id];
  for (const auto& [tp, i] : owner) out[by_id[i]->member_id][tp.first].push_back(tp.second);
  for (auto& [member, assigned] : out)
    for (auto& [topic, parts] : assigned) std::sort(parts.begin(), parts.end());
  return out;
}

}  // namespace sluice::group_coordinator
