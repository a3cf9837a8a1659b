// coordinator_state: a partition server's controlled shutdown. Its
// leaderships move to other live ISR members and it leaves the ISRs, so
// clients switch before it stops rather than after its lease runs out.
#include "services/coordinator/state_helpers.h"

namespace sluice::coordinator {

cv1::ControlledShutdownResponse coordinator_state::controlled_shutdown(const cv1::ControlledShutdownRequest& req) {
  const node_id node{req.node_id()};
  if (!current_partition_server(node, req.registration_epoch()))
    return answer<cv1::ControlledShutdownResponse>(cv1::STALE_EPOCH);
  // From now until it registers again it may neither lead nor join an ISR.
  shutting_down_.insert(node);
  change_set c;
  std::int32_t remaining = 0;
  std::size_t moved = 0;
  change_every_partition(st_.topics, c, [&](const mv1::TopicInfo&, const partition_record& p) {
    std::optional<partition_record> next;
    partition_record now = p;
    if (p.leader == node) {
      next = change_of(p).move_leader_away_from(node).build();
      if (!next) {
        // Nobody else in sync: it keeps leading (worth waiting for only if
        // another replica could catch up) and stays in the ISR.
        if (p.replicas.size() > 1) ++remaining;
        return next;
      }
      ++moved;
      now = *next;
    }
    if (now.in_isr(node) && now.isr.size() > 1) {
      std::vector<node_id> isr;
      for (auto r : now.isr)
        if (r != node) isr.push_back(r);
      if (auto shrunk = change_of(now).set_target_isr(std::move(isr)).build()) next = shrunk;
    }
    return next;
  });
  if (!c.upsert_topics.empty() && !commit(c)) return answer<cv1::ControlledShutdownResponse>(cv1::STORAGE_FAILURE);
  log()->info("controlled shutdown of node {}: {} leaderships moved, {} kept (no other in-sync replica)", node, moved,
              remaining);
  auto resp = answer<cv1::ControlledShutdownResponse>(cv1::COORDINATOR_OK);
  resp.set_remaining_leaderships(remaining);
  resp.set_metadata_version(st_.version);
  return resp;
}

}  // namespace sluice::coordinator
