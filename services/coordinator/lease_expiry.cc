// coordinator_state: services whose lease ran out are removed; a partition
// server's leaderships move to live ISR members (or become -1) and it
// leaves every ISR.
#include "common/cluster/group_shards.h"
#include "services/coordinator/group_shard_rules.h"
#include "services/coordinator/state_helpers.h"

namespace sluice::coordinator {

std::size_t coordinator_state::expire_leases(time_point now) {
  auto expired = leases_.take_expired(now);
  if (expired.empty()) return 0;
  const std::set<node_id> gone(expired.begin(), expired.end());
  change_set c;
  for (auto id : expired)
    if (st_.services.count(id)) c.remove_services.push_back(id);

  auto acceptable = [&](node_id n) { return !gone.count(n) && eligible(n); };
  change_every_partition(st_.topics, c, [&](const mv1::TopicInfo& t, const partition_record& p) {
    std::vector<node_id> isr;
    for (auto r : p.isr)
      if (!gone.count(r)) isr.push_back(r);
    // An ISR with no member left stays as it was (the builder's rule): the
    // right replica can take over cleanly when it returns.
    auto next = partition_change_builder(p, acceptable)
                    .set_target_isr(std::move(isr))
                    .leader_must_leave(gone)
                    .set_election(election_on_leader_loss(t))
                    .build();
    if (next && next->leader != no_node && !p.in_isr(next->leader))
      log()->warn("unclean election: {}/{} led by {} from outside the ISR", t.name(), p.partition, next->leader);
    return next;
  });
  // The dead instances' group shards go to the live ones.
  c.group_shards = assign_group_shards(st_.group_shards, live_group_coordinators(gone), {},
                                       cluster::default_offsets_partitions);
  if (!commit(c)) {
    // Try again at the next sweep rather than dropping the removal.
    for (auto id : expired) {
      auto it = st_.services.find(id);
      leases_.grant(id, it != st_.services.end() ? it->second.registration_epoch() : 0, now - options_.lease_ttl);
    }
    return 0;
  }
  const std::string moved =
      c.upsert_topics.empty() ? "" : fmt::format(", leadership changes in {} topics", c.upsert_topics.size());
  for (auto id : expired) log()->info("lease of node {} expired: removed{}", id, moved);
  return expired.size();
}

}  // namespace sluice::coordinator
