// coordinator_state's replication rules: ISR changes from leaders and
// controlled shutdown.
#include <algorithm>
#include <functional>
#include <map>
#include <set>

#include <fmt/ranges.h>

#include "common/logging/logger.h"
#include "services/coordinator/coordinator_state.h"

namespace sluice::coordinator {
namespace {

std::shared_ptr<spdlog::logger> log() { return logging::get("coordinator"); }

bool contains(const google::protobuf::RepeatedField<std::int32_t>& v, std::int32_t x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

mv1::PartitionInfo* find_partition(mv1::TopicInfo& t, std::int32_t partition) {
  for (auto& p : *t.mutable_partitions())
    if (p.partition() == partition) return &p;
  return nullptr;
}

bool maybe_complete_reassignment(mv1::PartitionInfo& p, const std::function<bool(std::int32_t)>& eligible);

}  // namespace

cv1::AlterPartitionResponse coordinator_state::alter_partition(const cv1::AlterPartitionRequest& req) {
  cv1::AlterPartitionResponse resp;
  auto sender = st_.services.find(req.node_id());
  if (sender == st_.services.end() || sender->second.kind() != mv1::PARTITION_SERVER ||
      sender->second.registration_epoch() != req.registration_epoch()) {
    resp.set_error(cv1::STALE_EPOCH);
    return resp;
  }
  if (req.controller_epoch() != st_.controller_epoch) {
    resp.set_error(cv1::STALE_CONTROLLER_EPOCH);
    return resp;
  }
  std::map<std::string, mv1::TopicInfo> edited;
  std::vector<int> accepted;
  for (const auto& change : req.changes()) {
    auto* r = resp.add_results();
    r->set_topic(change.topic());
    r->set_partition(change.partition());
    auto known = st_.topics.find(change.topic());
    if (known == st_.topics.end()) {
      r->set_error(cv1::UNKNOWN_PARTITION);
      continue;
    }
    auto& topic = edited.try_emplace(change.topic(), known->second).first->second;
    auto* p = find_partition(topic, change.partition());
    if (!p) {
      r->set_error(cv1::UNKNOWN_PARTITION);
      continue;
    }
    auto error = [&]() -> cv1::CoordinatorError {
      if (p->leader() != req.node_id()) return cv1::NOT_LEADER;
      if (p->leader_epoch() != change.leader_epoch()) return cv1::FENCED_LEADER_EPOCH;
      if (p->partition_epoch() != change.partition_epoch()) return cv1::INVALID_UPDATE_VERSION;
      std::set<std::int32_t> seen;
      for (auto id : change.new_isr())
        if (!contains(p->replicas(), id) || !seen.insert(id).second) return cv1::INVALID_REQUEST;
      if (!seen.count(p->leader())) return cv1::INVALID_REQUEST;
      for (auto id : change.new_isr())
        if (!contains(p->isr(), id) && !eligible(id)) return cv1::INELIGIBLE_REPLICA;
      return cv1::COORDINATOR_OK;
    }();
    r->set_error(error);
    if (error == cv1::COORDINATOR_OK) {
      *p->mutable_isr() = change.new_isr();
      p->set_partition_epoch(p->partition_epoch() + 1);
      if (maybe_complete_reassignment(*p, [this](std::int32_t id) { return eligible(id); }))
        log()->info("reassignment of {}/{} complete: replicas [{}]", change.topic(), change.partition(),
                    fmt::join(p->replicas(), ","));
      accepted.push_back(resp.results_size() - 1);
    }
    *r->mutable_partition_info() = *p;
  }
  if (accepted.empty()) return resp;
  change_set c;
  for (auto& [name, t] : edited) c.upsert_topics.push_back(std::move(t));
  if (!commit(c)) {
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

cv1::ControlledShutdownResponse coordinator_state::controlled_shutdown(const cv1::ControlledShutdownRequest& req) {
  cv1::ControlledShutdownResponse resp;
  const std::int32_t node = req.node_id();
  auto svc = st_.services.find(node);
  if (svc == st_.services.end() || svc->second.kind() != mv1::PARTITION_SERVER ||
      svc->second.registration_epoch() != req.registration_epoch()) {
    resp.set_error(cv1::STALE_EPOCH);
    return resp;
  }
  shutting_down_.insert(node);
  change_set c;
  std::int32_t remaining = 0;
  std::size_t moved = 0;
  for (const auto& [name, topic] : st_.topics) {
    mv1::TopicInfo t = topic;
    bool changed = false;
    for (auto& p : *t.mutable_partitions()) {
      if (p.leader() == node) {
        std::int32_t next = -1;
        for (auto r : p.replicas())
          if (r != node && contains(p.isr(), r) && eligible(r)) {
            next = r;
            break;
          }
        if (next < 0) {
          // Worth waiting for only if another replica could catch up.
          if (p.replicas_size() > 1) ++remaining;
          continue;
        }
        p.set_leader(next);
        p.set_leader_epoch(p.leader_epoch() + 1);
        ++moved;
        changed = true;
      }
      if (contains(p.isr(), node) && p.isr_size() > 1 && p.leader() != node) {
        google::protobuf::RepeatedField<std::int32_t> isr;
        for (auto r : p.isr())
          if (r != node) isr.Add(r);
        *p.mutable_isr() = isr;
        p.set_partition_epoch(p.partition_epoch() + 1);
        changed = true;
      }
    }
    if (changed) c.upsert_topics.push_back(std::move(t));
  }
  if (!c.upsert_topics.empty() && !commit(c)) {
    resp.set_error(cv1::STORAGE_FAILURE);
    return resp;
  }
  log()->info("controlled shutdown of node {}: {} leaderships moved, {} kept (no other in-sync replica)", node, moved,
              remaining);
  resp.set_error(cv1::COORDINATOR_OK);
  resp.set_remaining_leaderships(remaining);
  resp.set_metadata_version(st_.version);
  return resp;
}

}  // namespace sluice::coordinator

namespace sluice::coordinator {
namespace {

/// Completes a reassignment whose adding replicas are all in the ISR:
/// replicas = the target, ISR ∩ target, a leader from the target. True when
/// it completed.
bool maybe_complete_reassignment(mv1::PartitionInfo& p, const std::function<bool(std::int32_t)>& eligible) {
  if (p.adding_replicas_size() == 0 && p.removing_replicas_size() == 0) return false;
  for (auto r : p.adding_replicas())
    if (!contains(p.isr(), r)) return false;
  google::protobuf::RepeatedField<std::int32_t> target, isr;
  for (auto r : p.replicas())
    if (!contains(p.removing_replicas(), r)) target.Add(r);
  for (auto r : p.isr())
    if (contains(target, r)) isr.Add(r);
  if (isr.empty()) return false;  // nobody of the target is in sync yet
  *p.mutable_replicas() = target;
  *p.mutable_isr() = isr;
  p.clear_adding_replicas();
  p.clear_removing_replicas();
  p.set_partition_epoch(p.partition_epoch() + 1);
  if (!contains(target, p.leader())) {
    std::int32_t next = -1;
    for (auto r : target)
      if (contains(isr, r) && eligible(r)) {
        next = r;
        break;
      }
    p.set_leader(next);
    p.set_leader_epoch(p.leader_epoch() + 1);
  }
  return true;
}

}  // namespace

bool coordinator_state::eligible(std::int32_t id) const {
  auto it = st_.services.find(id);
  return it != st_.services.end() && it->second.kind() == mv1::PARTITION_SERVER && !shutting_down_.count(id);
}

bool coordinator_state::unclean_allowed(const mv1::TopicInfo& t) const {
  auto it = t.configs().find("unclean.leader.election.enable");
  if (it == t.configs().end()) return options_.unclean_leader_election;
  return it->second == "true";
}

std::string coordinator_state::check_assignment(const google::protobuf::RepeatedPtrField<cv1::ReplicaAssignment>& a,
                                                std::int32_t first_partition) const {
  std::set<std::int32_t> partitions;
  int rf = -1;
  for (const auto& entry : a) {
    if (!partitions.insert(entry.partition()).second)
      return "Partition " + std::to_string(entry.partition()) + " is assigned twice.";
    if (entry.replicas_size() == 0) return "Partition " + std::to_string(entry.partition()) + " has no replicas.";
    if (rf >= 0 && entry.replicas_size() != rf) return "All partitions must have the same number of replicas.";
    rf = entry.replicas_size();
    std::set<std::int32_t> ids;
    for (auto id : entry.replicas()) {
      if (!ids.insert(id).second)
        return "Duplicate replica " + std::to_string(id) + " for partition " + std::to_string(entry.partition()) + ".";
      if (!eligible(id)) return "Replica " + std::to_string(id) + " is not a live partition server.";
    }
  }
  std::int32_t expect = first_partition;
  for (auto p : partitions)
    if (p != expect++) return "Partitions must be numbered consecutively from " + std::to_string(first_partition) + ".";
  return {};
}

cv1::ElectLeadersResponse coordinator_state::elect_leaders(const cv1::ElectLeadersRequest& req) {
  cv1::ElectLeadersResponse resp;
  std::map<std::string, mv1::TopicInfo> edited;
  auto elect = [&](const std::string& topic, std::int32_t partition) {
    auto* r = resp.add_results();
    r->set_topic(topic);
    r->set_partition(partition);
    auto known = st_.topics.find(topic);
    mv1::PartitionInfo* p = nullptr;
    if (known != st_.topics.end()) p = find_partition(edited.try_emplace(topic, known->second).first->second, partition);
    if (!p) {
      r->set_error(cv1::UNKNOWN_PARTITION);
      r->set_error_message("This server does not host this topic-partition.");
      return;
    }
    std::int32_t next = -1;
    if (req.type() == cv1::PREFERRED) {
      const std::int32_t preferred = p->replicas_size() > 0 ? p->replicas(0) : -1;
      if (p->leader() == preferred) {
        r->set_error(cv1::ELECTION_NOT_NEEDED);
        r->set_error_message("Leader election not needed for topic partition.");
        return;
      }
      if (preferred < 0 || !contains(p->isr(), preferred) || !eligible(preferred)) {
        r->set_error(cv1::PREFERRED_LEADER_NOT_AVAILABLE);
        r->set_error_message("Failed to elect leader for partition " + topic + "-" + std::to_string(partition) +
                             " under strategy PreferredReplicaPartitionLeaderElectionStrategy");
        return;
      }
      next = preferred;
    } else {
      if (p->leader() >= 0 && eligible(p->leader())) {
        r->set_error(cv1::ELECTION_NOT_NEEDED);
        r->set_error_message("Leader election not needed for topic partition.");
        return;
      }
      for (auto id : p->replicas())
        if (contains(p->isr(), id) && eligible(id)) {
          next = id;
          break;
        }
      if (next < 0) {
        for (auto id : p->replicas())
          if (eligible(id)) {
            next = id;
            break;
          }
        if (next >= 0) {
          // Unclean: the ISR restarts from the new leader (it may lack writes).
          p->clear_isr();
          p->add_isr(next);
          p->set_partition_epoch(p->partition_epoch() + 1);
        }
      }
      if (next < 0) {
        r->set_error(cv1::ELIGIBLE_LEADERS_NOT_AVAILABLE);
        r->set_error_message("No live replica of the partition.");
        return;
      }
    }
    p->set_leader(next);
    p->set_leader_epoch(p->leader_epoch() + 1);
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
  change_set c;
  for (auto& [name, t] : edited) c.upsert_topics.push_back(std::move(t));
  if (!commit(c)) {
    for (int i : elected) {
      resp.mutable_results(i)->set_error(cv1::STORAGE_FAILURE);
      resp.mutable_results(i)->set_error_message("metadata store write failed");
    }
    return resp;
  }
  log()->info("{} election: {} partition(s) got a new leader",
              req.type() == cv1::PREFERRED ? "preferred" : "unclean", elected.size());
  return resp;
}

std::size_t coordinator_state::rebalance_preferred_leaders() {
  cv1::ElectLeadersRequest req;
  req.set_type(cv1::PREFERRED);
  for (const auto& [name, t] : st_.topics) {
    cv1::TopicPartitions* tp = nullptr;
    for (const auto& p : t.partitions()) {
      const std::int32_t preferred = p.replicas_size() > 0 ? p.replicas(0) : -1;
      if (preferred < 0 || p.leader() == preferred || !contains(p.isr(), preferred) || !eligible(preferred)) continue;
      if (!tp) {
        tp = req.add_partitions();
        tp->set_topic(name);
      }
      tp->add_partitions(p.partition());
    }
  }
  if (req.partitions_size() == 0) return 0;
  auto resp = elect_leaders(req);
  std::size_t moved = 0;
  for (const auto& r : resp.results()) moved += r.error() == cv1::COORDINATOR_OK;
  return moved;
}

cv1::AlterPartitionReassignmentsResponse coordinator_state::alter_partition_reassignments(
    const cv1::AlterPartitionReassignmentsRequest& req) {
  cv1::AlterPartitionReassignmentsResponse resp;
  std::map<std::string, mv1::TopicInfo> edited;
  auto eligible_fn = [this](std::int32_t id) { return eligible(id); };
  std::vector<int> changed;
  for (const auto& ra : req.reassignments()) {
    auto* r = resp.add_results();
    r->set_topic(ra.topic());
    r->set_partition(ra.partition());
    auto known = st_.topics.find(ra.topic());
    mv1::PartitionInfo* p = nullptr;
    if (known != st_.topics.end())
      p = find_partition(edited.try_emplace(ra.topic(), known->second).first->second, ra.partition());
    if (!p) {
      r->set_error(cv1::UNKNOWN_PARTITION);
      r->set_error_message("Topic or partition does not exist.");
      continue;
    }
    const bool running = p->adding_replicas_size() > 0 || p->removing_replicas_size() > 0;
    // The replicas as they were before any reassignment started.
    google::protobuf::RepeatedField<std::int32_t> original;
    for (auto id : p->replicas())
      if (!contains(p->adding_replicas(), id)) original.Add(id);
    google::protobuf::RepeatedField<std::int32_t> target;
    if (ra.replicas_size() == 0) {
      if (!running) {
        r->set_error(cv1::NO_REASSIGNMENT_IN_PROGRESS);
        r->set_error_message("No reassignment in progress for " + ra.topic() + "-" + std::to_string(ra.partition()));
        continue;
      }
      target = original;  // cancel: back where it started
    } else {
      std::set<std::int32_t> ids;
      std::string why;
      for (auto id : ra.replicas()) {
        if (!ids.insert(id).second) why = "Duplicate replica " + std::to_string(id) + ".";
        if (!eligible(id) && !contains(p->replicas(), id))
          why = "Replica " + std::to_string(id) + " is not a live partition server.";
      }
      if (!why.empty()) {
        r->set_error(cv1::INVALID_REPLICA_ASSIGNMENT);
        r->set_error_message(why);
        continue;
      }
      target = ra.replicas();
    }
    // replicas = target, then the original replicas not in it (they leave at completion).
    google::protobuf::RepeatedField<std::int32_t> replicas = target, adding, removing;
    for (auto id : original)
      if (!contains(target, id)) {
        replicas.Add(id);
        removing.Add(id);
      }
    for (auto id : target)
      if (!contains(original, id)) adding.Add(id);
    *p->mutable_replicas() = replicas;
    *p->mutable_adding_replicas() = adding;
    *p->mutable_removing_replicas() = removing;
    google::protobuf::RepeatedField<std::int32_t> isr;
    for (auto id : p->isr())
      if (contains(replicas, id)) isr.Add(id);
    *p->mutable_isr() = isr;
    p->set_partition_epoch(p->partition_epoch() + 1);
    maybe_complete_reassignment(*p, eligible_fn);
    r->set_error(cv1::COORDINATOR_OK);
    changed.push_back(resp.results_size() - 1);
  }
  if (changed.empty()) return resp;
  change_set c;
  for (auto& [name, t] : edited) c.upsert_topics.push_back(std::move(t));
  if (!commit(c)) {
    for (int i : changed) {
      resp.mutable_results(i)->set_error(cv1::STORAGE_FAILURE);
      resp.mutable_results(i)->set_error_message("metadata store write failed");
    }
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
      if (contains(tp.partitions(), p.partition())) add(tp.topic(), p);
  }
  return resp;
}

}  // namespace sluice::coordinator
