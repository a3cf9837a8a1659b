#include "services/coordinator/group_shard_rules.h"

#include <algorithm>
#include <map>

namespace sluice::coordinator {

std::optional<mv1::GroupShards> assign_group_shards(const mv1::GroupShards& current,
                                                    const std::vector<std::int32_t>& live,
                                                    const std::set<std::int32_t>& renewed, std::int32_t partitions) {
  struct entry {
    std::int32_t owner = -1;
    std::int64_t epoch = 0;
  };
  std::vector<entry> was(static_cast<std::size_t>(partitions));
  for (const auto& s : current.shards())
    if (s.partition() >= 0 && s.partition() < partitions) was[static_cast<std::size_t>(s.partition())] = {s.owner(), s.epoch()};
  std::vector<entry> now = was;

  const std::set<std::int32_t> alive(live.begin(), live.end());
  std::map<std::int32_t, std::vector<std::int32_t>> held;  // live owner -> its partitions
  for (auto id : alive) held[id];
  for (std::int32_t p = 0; p < partitions; ++p) {
    auto& e = now[static_cast<std::size_t>(p)];
    if (alive.count(e.owner)) held[e.owner].push_back(p);
    else e.owner = -1;
  }
  if (!alive.empty()) {
    auto least = [&] {
      return std::min_element(held.begin(), held.end(),
                              [](const auto& a, const auto& b) { return a.second.size() < b.second.size(); });
    };
    auto most = [&] {
      return std::max_element(held.begin(), held.end(),
                              [](const auto& a, const auto& b) { return a.second.size() < b.second.size(); });
    };
    for (std::int32_t p = 0; p < partitions; ++p) {
      auto& e = now[static_cast<std::size_t>(p)];
      if (e.owner != -1) continue;
      auto to = least();
      e.owner = to->first;
      to->second.push_back(p);
    }
    // A newcomer takes shards from the busiest until counts differ by at most one.
    while (most()->second.size() > least()->second.size() + 1) {
      auto from = most();
      auto to = least();
      const std::int32_t p = from->second.back();
      from->second.pop_back();
      to->second.push_back(p);
      now[static_cast<std::size_t>(p)].owner = to->first;
    }
  }

  bool changed = current.shards_size() != partitions;
  mv1::GroupShards out;
  for (std::int32_t p = 0; p < partitions; ++p) {
    auto& e = now[static_cast<std::size_t>(p)];
    const auto& before = was[static_cast<std::size_t>(p)];
    if (e.owner != before.owner || (e.owner != -1 && renewed.count(e.owner))) {
      e.epoch = before.epoch + 1;
      changed = true;
    }
    auto* s = out.add_shards();
    s->set_partition(p);
    s->set_owner(e.owner);
    s->set_epoch(e.epoch);
  }
  if (!changed) return std::nullopt;
  return out;
}

}  // namespace sluice::coordinator
