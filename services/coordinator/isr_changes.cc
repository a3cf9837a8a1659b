// coordinator_state: AlterPartition, a partition leader's ISR change, and
// the reassignment it may complete.
#include <set>

#include <fmt/ranges.h>

#include "services/coordinator/state_helpers.h"

namespace sluice::coordinator {
namespace {

/// Why `change` from `sender` cannot apply to `p`, or COORDINATOR_OK.
cv1::CoordinatorError check_isr_change(const partition_record& p, node_id sender, const cv1::PartitionIsrChange& change,
                                       const std::function<bool(node_id)>& eligible) {
  if (p.leader != sender) return cv1::NOT_LEADER;
  if (p.leader_epoch != sluice::leader_epoch{change.leader_epoch()}) return cv1::FENCED_LEADER_EPOCH;
  if (p.partition_epoch != sluice::partition_epoch{change.partition_epoch()}) return cv1::INVALID_UPDATE_VERSION;
  std::set<node_id> seen;
  for (auto raw : change.new_isr()) {
    const node_id id{raw};
    if (!p.is_replica(id) || !seen.insert(id).second) return cv1::INVALID_REQUEST;
  }
  if (!seen.count(p.leader)) return cv1::INVALID_REQUEST;
  for (auto id : seen)
    if (!p.in_isr(id) && !eligible(id)) return cv1::INELIGIBLE_REPLICA;
  return cv1::COORDINATOR_OK;
}

}  // namespace

cv1::AlterPartitionResponse coordinator_state::alter_partition(const cv1::AlterPartitionRequest& req) {
  using response = cv1::AlterPartitionResponse;
  const node_id sender{req.node_id()};
  if (!current_partition_server(sender, req.registration_epoch())) return answer<response>(cv1::STALE_EPOCH);
  if (req.controller_epoch() != st_.controller_epoch) return answer<response>(cv1::STALE_CONTROLLER_EPOCH);
  response resp;
  topic_edits edits(st_.topics);
  std::vector<int> accepted;
  for (const auto& change : req.changes()) {
    auto [r, info] = add_result(*resp.mutable_results(), edits, change.topic(), change.partition());
    if (!info) continue;
    auto p = partition_record::from_proto(*info);
    const auto error = check_isr_change(p, sender, change, [this](node_id n) { return eligible(n); });
    r->set_error(error);
    if (error == cv1::COORDINATOR_OK) {
      // Two changes, each with its own partition epoch: the leader's ISR,
      // then the end of a reassignment that ISR may complete.
      if (auto next = change_of(p).set_target_isr(to_node_ids(change.new_isr())).build())
        p = *next;
      if (auto done = change_of(p).complete_reassignment().build()) {
        p = *done;
        log()->info("reassignment of {}/{} complete: replicas [{}]", change.topic(), change.partition(),
                    fmt::join(p.replicas, ","));
      }
      *info = p.to_proto();
      accepted.push_back(resp.results_size() - 1);
    }
    *r->mutable_partition_info() = *info;
  }
  if (accepted.empty()) return resp;
  if (!commit(edits)) {
    for (int i : accepted) {
      auto* r = resp.mutable_results(i);
      r->set_error(cv1::STORAGE_FAILURE);
      *r->mutable_partition_info() = *find_partition(st_.topics.at(r->topic()), r->partition());
    }
    return resp;
  }
  for (int i : accepted) {
    const auto& r = resp.results(i);
    log()->info("ISR of {}/{} now [{}] (partition epoch {})", r.topic(), r.partition(),
                fmt::join(r.partition_info().isr(), ","), r.partition_info().partition_epoch());
  }
  return resp;
}

}  // namespace sluice::coordinator
