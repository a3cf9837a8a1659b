// coordinator_state: leader elections an operator asks for (ElectLeaders,
// PREFERRED or UNCLEAN) and the periodic preferred-leader rebalance.
#include "services/coordinator/state_helpers.h"

namespace sluice::coordinator {

cv1::ElectLeadersResponse coordinator_state::elect_leaders(const cv1::ElectLeadersRequest& req) {
  cv1::ElectLeadersResponse resp;
  topic_edits edits(st_.topics);
  const bool preferred = req.type() == cv1::PREFERRED;
  auto elect = [&](const std::string& topic, std::int32_t partition) {
    auto [r, info] = add_result(*resp.mutable_results(), edits, topic, partition,
                                "This server does not host this topic-partition.");
    if (!info) return;
    const auto p = partition_record::from_proto(*info);
    const bool needed = preferred ? p.leader != p.preferred_leader() : p.leader == no_node || !eligible(p.leader);
    if (!needed) {
      r->set_error(cv1::ELECTION_NOT_NEEDED);
      r->set_error_message("Leader election not needed for topic partition.");
      return;
    }
    // An operator's UNCLEAN request is the permission to leave the ISR, as
    // in Kafka, whatever the topic's unclean.leader.election.enable says.
    auto next = change_of(p)
                    .set_election(preferred ? election::preferred : election::unclean)
                    .elect()
                    .build();
    if (!next) {
      if (preferred) {
        r->set_error(cv1::PREFERRED_LEADER_NOT_AVAILABLE);
        r->set_error_message("Failed to elect leader for partition " + topic + "-" + std::to_string(partition) +
                             " under strategy PreferredReplicaPartitionLeaderElectionStrategy");
      } else {
        r->set_error(cv1::ELIGIBLE_LEADERS_NOT_AVAILABLE);
        r->set_error_message("No live replica of the partition.");
      }
      return;
    }
    *info = next->to_proto();
    r->set_error(cv1::COORDINATOR_OK);
  };
  if (req.partitions_size() == 0) {
    for (const auto& [name, t] : st_.topics)
      for (const auto& p : t.partitions()) elect(name, p.partition());
  } else {
    for (const auto& tp : req.partitions())
      for (auto p : tp.partitions()) elect(tp.topic(), p);
  }
  std::vector<int> elected;
  for (int i = 0; i < resp.results_size(); ++i)
    if (resp.results(i).error() == cv1::COORDINATOR_OK) elected.push_back(i);
  if (elected.empty()) return resp;
  if (!commit(edits)) {
    mark_storage_failure(*resp.mutable_results(), elected);
    return resp;
  }
  log()->info("{} election: {} partition(s) got a new leader", preferred ? "preferred" : "unclean", elected.size());
  return resp;
}

std::size_t coordinator_state::rebalance_preferred_leaders() {
  cv1::ElectLeadersRequest req;
  req.set_type(cv1::PREFERRED);
  for (const auto& [name, t] : st_.topics) {
    cv1::TopicPartitions* tp = nullptr;
    for (const auto& info : t.partitions()) {
      // Only where the election would move the leader (a dry run of it).
      const auto p = partition_record::from_proto(info);
      auto next = change_of(p).set_election(election::preferred).elect().build();
      if (!next || next->leader == p.leader) continue;
      if (!tp) {
        tp = req.add_partitions();
        tp->set_topic(name);
      }
      tp->add_partitions(p.partition);
    }
  }
  if (req.partitions_size() == 0) return 0;
  auto resp = elect_leaders(req);
  std::size_t moved = 0;
  for (const auto& r : resp.results()) moved += r.error() == cv1::COORDINATOR_OK;
  return moved;
}

}  // namespace sluice::coordinator
