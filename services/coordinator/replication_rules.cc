// coordinator_state's replication rules: ISR changes from leaders and
// controlled shutdown.
#include <algorithm>
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
  auto live = [&](std::int32_t id) {
    auto it = st_.services.find(id);
    return it != st_.services.end() && it->second.kind() == mv1::PARTITION_SERVER && !shutting_down_.count(id);
  };
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
        if (!contains(p->isr(), id) && !live(id)) return cv1::INELIGIBLE_REPLICA;
      return cv1::COORDINATOR_OK;
    }();
    r->set_error(error);
    if (error == cv1::COORDINATOR_OK) {
      *p->mutable_isr() = change.new_isr();
      p->set_partition_epoch(p->partition_epoch() + 1);
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
  auto eligible = [&](std::int32_t id) {
    auto it = st_.services.find(id);
    return id != node && it != st_.services.end() && it->second.kind() == mv1::PARTITION_SERVER &&
           !shutting_down_.count(id);
  };
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
          if (contains(p.isr(), r) && eligible(r)) {
            next = r;
            break;
          }
        if (next < 0) {
          ++remaining;
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
