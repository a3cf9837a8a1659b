// coordinator_state: topic administration (CreateTopics, DeleteTopics,
// CreatePartitions, AlterConfigs for topics) and the placement checks they
// share.
#include <algorithm>
#include <map>
#include <set>

#include "common/config/topic_config.h"
#include "services/coordinator/state_helpers.h"
#include "services/coordinator/topic_rules.h"

namespace sluice::coordinator {
namespace {

// Guards memory against absurd requests; Kafka has no hard limit but nothing
// real needs more.
constexpr std::int32_t max_partitions = 100000;

cv1::TopicResult fail(std::string name, cv1::CoordinatorError e, std::string msg) {
  cv1::TopicResult r;
  r.set_name(std::move(name));
  r.set_error(e);
  r.set_error_message(std::move(msg));
  return r;
}

cv1::TopicResult succeed(const std::string& name, const mv1::TopicInfo& t) {
  cv1::TopicResult r;
  r.set_name(name);
  r.set_error(cv1::COORDINATOR_OK);
  *r.mutable_topic() = t;
  return r;
}

/// Names that occur more than once in a request (Kafka answers all of them INVALID_REQUEST).
template <class Range, class Key>
std::set<std::string> duplicates(const Range& items, Key key) {
  std::map<std::string, int> seen;
  for (const auto& i : items) ++seen[key(i)];
  std::set<std::string> out;
  for (const auto& [n, c] : seen)
    if (c > 1) out.insert(n);
  return out;
}

/// Kafka's refusals of a partition count or replication factor, "" when fine.
std::string too_many_partitions(std::int32_t partitions) {
  if (partitions <= max_partitions) return {};
  return "Number of partitions must be at most " + std::to_string(max_partitions) + ".";
}

std::string too_few_brokers(std::int32_t rf, std::size_t brokers) {
  if (static_cast<std::size_t>(rf) <= brokers) return {};
  return "Replication factor: " + std::to_string(rf) + " larger than available brokers: " + std::to_string(brokers) +
         ".";
}

/// A new partition: every replica in sync, replicas[0] leading, epochs 0.
mv1::PartitionInfo new_partition(std::int32_t p, const std::vector<std::int32_t>& replicas) {
  partition_record r;
  r.partition = p;
  r.replicas = to_node_ids(replicas);
  r.isr = r.replicas;
  r.leader = r.replicas.front();
  return r.to_proto();
}

/// After a failed commit: the results at `indexes` (topics the request
/// created or grew) become STORAGE_FAILURE and carry no topic.
template <class Response>
void fail_uncommitted(Response& resp, const std::vector<int>& indexes) {
  for (int i : indexes) resp.mutable_results(i)->clear_topic();
  mark_storage_failure(*resp.mutable_results(), indexes);
}

}  // namespace

cv1::CreateTopicsResponse coordinator_state::create_topics(const cv1::CreateTopicsRequest& req) {
  cv1::CreateTopicsResponse resp;
  const auto servers = live_partition_servers();
  const auto dups = duplicates(req.topics(), [](const cv1::TopicSpec& s) { return s.name(); });
  change_set c;
  std::vector<int> created;  // indexes of results that wait for the commit
  for (const auto& spec : req.topics()) {
    const std::string& name = spec.name();
    auto r = [&]() -> cv1::TopicResult {
      if (dups.count(name)) return fail(name, cv1::INVALID_REQUEST, "Duplicate topic name in the request");
      if (auto why = check_topic_name(name); !why.empty()) return fail(name, cv1::INVALID_TOPIC, why);
      if (st_.topics.count(name)) return fail(name, cv1::TOPIC_ALREADY_EXISTS, "Topic '" + name + "' already exists.");
      for (const auto& [other, t] : st_.topics)
        if (topic_names_collide(name, other))
          return fail(name, cv1::INVALID_TOPIC, "Topic '" + name + "' collides with existing topic: " + other);
      for (const auto& other : c.upsert_topics)
        if (topic_names_collide(name, other.name()))
          return fail(name, cv1::INVALID_TOPIC, "Topic '" + name + "' collides with topic: " + other.name());
      const bool assigned = spec.assignments_size() > 0;
      if (assigned && (spec.partitions() != -1 || spec.replication_factor() != -1))
        return fail(name, cv1::INVALID_REQUEST,
                    "Both numPartitions or replicationFactor and replicasAssignments were set. Both cannot be used at "
                    "the same time.");
      if (assigned) {
        if (auto why = check_assignment(spec.assignments(), 0); !why.empty())
          return fail(name, cv1::INVALID_REPLICA_ASSIGNMENT, why);
      }
      std::int32_t partitions = assigned ? spec.assignments_size()
                                : spec.partitions() == -1 ? options_.default_partitions
                                                          : spec.partitions();
      std::int32_t rf = assigned                            ? spec.assignments(0).replicas_size()
                        : spec.replication_factor() == -1 ? options_.default_replication_factor
                                                          : spec.replication_factor();
      if (partitions < 1) return fail(name, cv1::INVALID_PARTITIONS, "Number of partitions must be larger than 0.");
      if (auto why = too_many_partitions(partitions); !why.empty()) return fail(name, cv1::INVALID_PARTITIONS, why);
      if (rf < 1) return fail(name, cv1::INVALID_REPLICATION_FACTOR, "Replication factor must be larger than 0.");
      if (auto why = too_few_brokers(rf, servers.size()); !why.empty())
        return fail(name, cv1::INVALID_REPLICATION_FACTOR, why);
      std::map<std::string, std::string> configs(spec.configs().begin(), spec.configs().end());
      if (auto e = config::validate_all(configs)) return fail(name, cv1::INVALID_CONFIG, e.message);

      mv1::TopicInfo t;
      t.set_name(name);
      t.set_topic_id(fresh_topic_id());
      auto assignment = assign_replicas(servers, 0, partitions, rf, rr_start_);
      for (const auto& a : spec.assignments())
        assignment[static_cast<std::size_t>(a.partition())].assign(a.replicas().begin(), a.replicas().end());
      for (std::int32_t p = 0; p < partitions; ++p) *t.add_partitions() = new_partition(p, assignment[p]);
      for (const auto& [k, v] : configs) (*t.mutable_configs())[k] = v;
      auto ok = succeed(name, t);
      if (!req.validate_only()) {
        ++rr_start_;
        c.upsert_topics.push_back(std::move(t));
      }
      return ok;
    }();
    if (r.error() == cv1::COORDINATOR_OK && !req.validate_only()) created.push_back(resp.results_size());
    *resp.add_results() = std::move(r);
  }
  if (!c.upsert_topics.empty()) {
    if (!commit(c)) {
      fail_uncommitted(resp, created);
    } else {
      for (const auto& t : c.upsert_topics)
        log()->info("created topic {} ({} partitions, rf {}, {} config overrides)", t.name(), t.partitions_size(),
                    t.partitions(0).replicas_size(), t.configs_size());
    }
  }
  return resp;
}

cv1::DeleteTopicsResponse coordinator_state::delete_topics(const cv1::DeleteTopicsRequest& req) {
  cv1::DeleteTopicsResponse resp;
  change_set c;
  std::set<std::string> seen;
  std::vector<int> deleted;
  for (const auto& name : req.names()) {
    if (!st_.topics.count(name)) {
      *resp.add_results() = fail(name, cv1::UNKNOWN_TOPIC, "This server does not host this topic-partition.");
      continue;
    }
    auto r = succeed(name, st_.topics.at(name));  // carries the id the gateway reports
    if (seen.insert(name).second) c.delete_topics.push_back(name);
    deleted.push_back(resp.results_size());
    *resp.add_results() = std::move(r);
  }
  if (!c.delete_topics.empty()) {
    if (!commit(c)) {
      mark_storage_failure(*resp.mutable_results(), deleted);
    } else {
      for (const auto& n : c.delete_topics) log()->info("deleted topic {}", n);
    }
  }
  return resp;
}

cv1::CreatePartitionsResponse coordinator_state::create_partitions(const cv1::CreatePartitionsRequest& req) {
  cv1::CreatePartitionsResponse resp;
  const auto servers = live_partition_servers();
  const auto dups = duplicates(req.topics(), [](const cv1::PartitionCountUpdate& u) { return u.name(); });
  change_set c;
  std::vector<int> changed;
  for (const auto& u : req.topics()) {
    const std::string& name = u.name();
    auto r = [&]() -> cv1::TopicResult {
      if (dups.count(name)) return fail(name, cv1::INVALID_REQUEST, "Duplicate topic name in the request");
      auto it = st_.topics.find(name);
      if (it == st_.topics.end()) return fail(name, cv1::UNKNOWN_TOPIC, "Topic '" + name + "' does not exist.");
      const auto& t = it->second;
      const std::int32_t current = t.partitions_size();
      if (u.count() < current)
        return fail(name, cv1::INVALID_PARTITIONS,
                    "Topic currently has " + std::to_string(current) + " partitions, which is higher than the requested " +
                        std::to_string(u.count()) + ".");
      if (u.count() == current)
        return fail(name, cv1::INVALID_PARTITIONS,
                    "Topic already has " + std::to_string(current) + " partitions.");
      if (auto why = too_many_partitions(u.count()); !why.empty()) return fail(name, cv1::INVALID_PARTITIONS, why);
      std::int32_t rf = current > 0 ? t.partitions(0).replicas_size() : options_.default_replication_factor;
      if (auto why = too_few_brokers(rf, servers.size()); !why.empty())
        return fail(name, cv1::INVALID_REPLICATION_FACTOR, why);
      if (u.assignments_size() > 0) {
        if (u.assignments_size() != u.count() - current)
          return fail(name, cv1::INVALID_REPLICA_ASSIGNMENT,
                      "Increasing the number of partitions by " + std::to_string(u.count() - current) + " but " +
                          std::to_string(u.assignments_size()) + " assignments provided.");
        if (auto why = check_assignment(u.assignments(), current); !why.empty())
          return fail(name, cv1::INVALID_REPLICA_ASSIGNMENT, why);
        if (u.assignments(0).replicas_size() != rf)
          return fail(name, cv1::INVALID_REPLICA_ASSIGNMENT,
                      "Inconsistent replication factor between partitions, partition 0 has " + std::to_string(rf) +
                          " replicas.");
      }
      mv1::TopicInfo next = t;
      auto assignment = assign_replicas(servers, current, u.count() - current, rf, rr_start_);
      for (const auto& a : u.assignments())
        assignment[static_cast<std::size_t>(a.partition() - current)].assign(a.replicas().begin(), a.replicas().end());
      for (std::int32_t i = 0; i < u.count() - current; ++i)
        *next.add_partitions() = new_partition(current + i, assignment[i]);
      auto ok = succeed(name, next);
      if (!req.validate_only()) c.upsert_topics.push_back(std::move(next));
      return ok;
    }();
    if (r.error() == cv1::COORDINATOR_OK && !req.validate_only()) changed.push_back(resp.results_size());
    *resp.add_results() = std::move(r);
  }
  if (!c.upsert_topics.empty()) {
    ++rr_start_;
    if (!commit(c)) {
      fail_uncommitted(resp, changed);
    } else {
      for (const auto& t : c.upsert_topics)
        log()->info("topic {} now has {} partitions", t.name(), t.partitions_size());
    }
  }
  return resp;
}

cv1::AlterTopicConfigsResponse coordinator_state::alter_topic_configs(const cv1::AlterTopicConfigsRequest& req) {
  cv1::AlterTopicConfigsResponse resp;
  const std::string& name = req.name();
  auto it = st_.topics.find(name);
  if (it == st_.topics.end()) {
    *resp.mutable_result() = fail(name, cv1::UNKNOWN_TOPIC, "Topic '" + name + "' does not exist.");
    return resp;
  }
  std::map<std::string, std::string> configs;
  if (!req.replace_all()) configs.insert(it->second.configs().begin(), it->second.configs().end());
  for (const auto& ch : req.changes()) {
    if (ch.op() == cv1::ConfigChange::DELETE) {
      configs.erase(ch.key());
    } else {
      configs[ch.key()] = ch.value();
    }
  }
  if (auto e = config::validate_all(configs)) {
    *resp.mutable_result() = fail(name, cv1::INVALID_CONFIG, e.message);
    return resp;
  }
  mv1::TopicInfo next = it->second;
  next.clear_configs();
  for (const auto& [k, v] : configs) (*next.mutable_configs())[k] = v;
  auto ok = succeed(name, next);
  std::map<std::string, std::string> before(it->second.configs().begin(), it->second.configs().end());
  if (!req.validate_only() && before != configs) {
    change_set c;
    c.upsert_topics.push_back(next);
    if (!commit(c)) {
      *resp.mutable_result() = fail(name, cv1::STORAGE_FAILURE, storage_failure_message);
      return resp;
    }
    log()->info("topic {} configs now {} overrides", name, configs.size());
  }
  *resp.mutable_result() = std::move(ok);
  return resp;
}

std::string coordinator_state::fresh_topic_id() {
  while (true) {
    std::string id = new_topic_id(rng_);
    bool taken = std::any_of(st_.topics.begin(), st_.topics.end(),
                             [&](const auto& kv) { return kv.second.topic_id() == id; });
    if (!taken) return id;
  }
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
      if (!eligible(node_id{id})) return "Replica " + std::to_string(id) + " is not a live partition server.";
    }
  }
  std::int32_t expect = first_partition;
  for (auto p : partitions)
    if (p != expect++) return "Partitions must be numbered consecutively from " + std::to_string(first_partition) + ".";
  return {};
}

}  // namespace sluice::coordinator
