// coordinator_state: KIP-455 partition reassignments. A reassignment starts
// (or is replaced, or cancelled) here; it completes when every adding replica
// is in the ISR, here or at the AlterPartition that gets it there.
#include <algorithm>
#include <set>

#include <fmt/ranges.h>

#include "services/coordinator/state_helpers.h"

namespace sluice::coordinator {
namespace {

/// The replica lists while moving `p` towards `target` (empty: back to where
/// the running reassignment started): the target first, then the original
/// replicas not in it, which leave when it completes. `original` is the
/// replica list before any reassignment started.
struct reassignment_step {
  std::vector<node_id> replicas, adding, removing, original;
};

reassignment_step step_towards(const partition_record& p, std::vector<node_id> target) {
  std::vector<node_id> original;  // the replicas before any reassignment started
  for (auto id : p.replicas)
    if (!contains(p.adding_replicas, id)) original.push_back(id);
  if (target.empty()) target = original;
  reassignment_step s{target, {}, {}, original};
  for (auto id : original)
    if (!contains(target, id)) {
      s.replicas.push_back(id);
      s.removing.push_back(id);
    }
  for (auto id : target)
    if (!contains(original, id)) s.adding.push_back(id);
  return s;
}

}  // namespace

cv1::AlterPartitionReassignmentsResponse coordinator_state::alter_partition_reassignments(
    const cv1::AlterPartitionReassignmentsRequest& req) {
  cv1::AlterPartitionReassignmentsResponse resp;
  topic_edits edits(st_.topics);
  std::vector<int> changed;
  for (const auto& ra : req.reassignments()) {
    auto [r, info] = add_result(*resp.mutable_results(), edits, ra.topic(), ra.partition(),
                                "Topic or partition does not exist.");
    if (!info) continue;
    auto p = partition_record::from_proto(*info);
    if (ra.replicas_size() == 0 && !p.reassigning()) {
      r->set_error(cv1::NO_REASSIGNMENT_IN_PROGRESS);
      r->set_error_message("No reassignment in progress for " + ra.topic() + "-" + std::to_string(ra.partition()));
      continue;
    }
    std::set<node_id> ids;
    std::string why;
    for (auto raw : ra.replicas()) {
      const node_id id{raw};
      if (!ids.insert(id).second) why = fmt::format("Duplicate replica {}.", id);
      if (!eligible(id) && !p.is_replica(id)) why = fmt::format("Replica {} is not a live partition server.", id);
    }
    if (!why.empty()) {
      r->set_error(cv1::INVALID_REPLICA_ASSIGNMENT);
      r->set_error_message(why);
      continue;
    }
    // Two changes, each with its own partition epoch: the step (ISR members
    // that are no replica any more leave the ISR; a leader among them is
    // replaced by the topic's rule for a lost leader), then its completion
    // when every adding replica is already in sync.
    auto step = step_towards(p, to_node_ids(ra.replicas()));
    const election on_leader_loss = election_on_leader_loss(st_.topics.at(ra.topic()));
    auto b = change_of(p).set_election(on_leader_loss);
    const bool none_in_sync =
        std::none_of(p.isr.begin(), p.isr.end(), [&](node_id n) { return contains(step.replicas, n); });
    if (none_in_sync) {
      // Only replicas this request drops are in sync (they were being
      // added). As Kafka does for a cancellation: refused unless the topic
      // allows unclean election; if it does, the first original replica
      // becomes the ISR and the leader is elected from it, else from any
      // live replica.
      if (on_leader_loss != election::unclean || step.original.empty()) {
        r->set_error(cv1::INVALID_REPLICA_ASSIGNMENT);
        r->set_error_message(fmt::format(
            "Unable to {} partition assignment for {}:{} because it would require an unclean leader election.",
            ra.replicas_size() == 0 ? "revert" : "change", ra.topic(), ra.partition()));
        continue;
      }
      log()->warn("unclean reassignment step: {}/{} restarts its ISR from replica {}", ra.topic(), ra.partition(),
                  step.original.front());
      b.set_target_isr({step.original.front()}).elect();
    }
    if (auto next =
            b.set_target_replicas(std::move(step.replicas), std::move(step.adding), std::move(step.removing)).build())
      p = *next;
    if (auto done = change_of(p).complete_reassignment().build()) p = *done;
    *info = p.to_proto();
    r->set_error(cv1::COORDINATOR_OK);
    changed.push_back(resp.results_size() - 1);
  }
  if (changed.empty()) return resp;
  if (!commit(edits)) {
    mark_storage_failure(*resp.mutable_results(), changed);
    return resp;
  }
  for (int i : changed) {
    const auto& r = resp.results(i);
    const auto* p = find_partition(st_.topics.at(r.topic()), r.partition());
    log()->info("reassignment of {}/{}: replicas [{}], adding [{}], removing [{}]", r.topic(), r.partition(),
                fmt::join(p->replicas(), ","), fmt::join(p->adding_replicas(), ","),
                fmt::join(p->removing_replicas(), ","));
  }
  return resp;
}

cv1::ListPartitionReassignmentsResponse coordinator_state::list_partition_reassignments(
    const cv1::ListPartitionReassignmentsRequest& req) const {
  cv1::ListPartitionReassignmentsResponse resp;
  auto add = [&](const std::string& topic, const mv1::PartitionInfo& p) {
    if (p.adding_replicas_size() == 0 && p.removing_replicas_size() == 0) return;
    auto* o = resp.add_reassignments();
    o->set_topic(topic);
    o->set_partition(p.partition());
    *o->mutable_replicas() = p.replicas();
    *o->mutable_adding_replicas() = p.adding_replicas();
    *o->mutable_removing_replicas() = p.removing_replicas();
  };
  if (req.partitions_size() == 0) {
    for (const auto& [name, t] : st_.topics)
      for (const auto& p : t.partitions()) add(name, p);
    return resp;
  }
  for (const auto& tp : req.partitions()) {
    auto it = st_.topics.find(tp.topic());
    if (it == st_.topics.end()) continue;
    for (const auto& p : it->second.partitions())
      if (std::find(tp.partitions().begin(), tp.partitions().end(), p.partition()) != tp.partitions().end())
        add(tp.topic(), p);
  }
  return resp;
}

}  // namespace sluice::coordinator
