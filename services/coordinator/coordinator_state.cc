#include "services/coordinator/coordinator_state.h"

#include <algorithm>
#include <map>
#include <set>

#include "common/cluster/group_shards.h"
#include "common/config/topic_config.h"
#include "common/logging/logger.h"
#include "services/coordinator/group_shard_rules.h"
#include "services/coordinator/topic_rules.h"

namespace sluice::coordinator {
namespace {

// Guards memory against absurd requests; Kafka has no hard limit but nothing
// real needs more.
constexpr std::int32_t max_partitions = 100000;

std::shared_ptr<spdlog::logger> log() { return logging::get("coordinator"); }

cv1::TopicResult fail(std::string name, cv1::CoordinatorError e, std::string msg) {
  cv1::TopicResult r;
  r.set_name(std::move(name));
  r.set_error(e);
  r.set_error_message(std::move(msg));
  return r;
}

bool contains(const google::protobuf::RepeatedField<std::int32_t>& v, std::int32_t x) {
  return std::find(v.begin(), v.end(), x) != v.end();
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

mv1::PartitionInfo new_partition(std::int32_t p, const std::vector<std::int32_t>& replicas) {
  mv1::PartitionInfo info;
  info.set_partition(p);
  for (auto r : replicas) {
    info.add_replicas(r);
    info.add_isr(r);
  }
  info.set_leader(replicas.front());
  info.set_leader_epoch(0);
  info.set_partition_epoch(0);
  return info;
}

}  // namespace

coordinator_state::coordinator_state(std::unique_ptr<metadata_store> store, stored_state st,
                                     coordinator_options options)
    : store_(std::move(store)),
      st_(std::move(st)),
      options_(std::move(options)),
      leases_(options_.lease_ttl),
      rng_(std::random_device{}()) {}

result<std::unique_ptr<coordinator_state>> coordinator_state::open(const std::filesystem::path& dir,
                                                                   coordinator_options options, time_point now) {
  auto store = metadata_store::open(dir);
  if (!store) return store.error();
  auto loaded = store.value()->load();
  if (!loaded) return loaded.error();
  std::unique_ptr<coordinator_state> s(
      new coordinator_state(std::move(store.value()), std::move(loaded.value()), std::move(options)));
  change_set c;
  c.controller_epoch = s->st_.controller_epoch + 1;
  if (s->st_.cluster_id.empty()) c.cluster_id = new_cluster_id(s->rng_);
  if (auto r = s->store_->commit(c); !r) return r.error();
  s->st_.controller_epoch = *c.controller_epoch;
  if (c.cluster_id) s->st_.cluster_id = *c.cluster_id;
  // Leases are not persisted: services known from before get a grace TTL
  // to heartbeat (with their stored epoch) before they are dropped.
  for (const auto& [id, svc] : s->st_.services) s->leases_.grant(id, svc.registration_epoch(), now);
  log()->info("store loaded: cluster {} version {} controller epoch {}, {} topics, {} services",
              s->st_.cluster_id, s->st_.version, s->st_.controller_epoch, s->st_.topics.size(),
              s->st_.services.size());
  return s;
}

bool coordinator_state::commit(change_set& c) {
  const std::uint64_t next = st_.version + 1;
  c.version = next;
  if (auto r = store_->commit(c); !r) {
    log()->error("metadata commit (version {}) failed: {}", next, r.error().message());
    return false;
  }
  mv1::MetadataDelta delta;
  delta.set_version(next);
  delta.set_controller_epoch(st_.controller_epoch);
  st_.version = next;
  for (const auto& n : c.delete_topics) {
    st_.topics.erase(n);
    delta.add_deleted_topics(n);
  }
  for (const auto& t : c.upsert_topics) {
    st_.topics[t.name()] = t;
    *delta.add_upserted_topics() = t;
  }
  for (auto id : c.remove_services) {
    st_.services.erase(id);
    delta.add_removed_services(id);
  }
  for (const auto& s : c.upsert_services) {
    st_.services[s.node_id()] = s;
    *delta.add_upserted_services() = s;
  }
  if (c.group_shards) {
    st_.group_shards = *c.group_shards;
    *delta.mutable_group_shards() = *c.group_shards;
  }
  if (c.next_node_id) st_.next_node_id = *c.next_node_id;
  if (c.next_registration_epoch) st_.next_registration_epoch = *c.next_registration_epoch;
  if (publish_) publish_(delta);
  return true;
}

std::vector<std::int32_t> coordinator_state::live_group_coordinators(const std::set<std::int32_t>& leaving) const {
  std::vector<std::int32_t> out;
  for (const auto& [id, s] : st_.services)
    if (s.kind() == mv1::GROUP_COORDINATOR && !leaving.count(id)) out.push_back(id);
  return out;
}

std::vector<std::int32_t> coordinator_state::live_partition_servers() const {
  std::vector<std::int32_t> out;
  for (const auto& [id, s] : st_.services)
    if (s.kind() == mv1::PARTITION_SERVER) out.push_back(id);
  return out;  // std::map order: sorted by node id
}

std::string coordinator_state::fresh_topic_id() {
  while (true) {
    std::string id = new_topic_id(rng_);
    bool taken = std::any_of(st_.topics.begin(), st_.topics.end(),
                             [&](const auto& kv) { return kv.second.topic_id() == id; });
    if (!taken) return id;
  }
}

// --- services and leases ---------------------------------------------------

cv1::RegisterResponse coordinator_state::register_service(const cv1::RegisterRequest& req, time_point now) {
  expire_leases(now);
  cv1::RegisterResponse resp;
  auto refuse = [&](cv1::CoordinatorError e, std::string msg) {
    log()->warn("registration refused: {}", msg);
    resp.set_error(e);
    resp.set_error_message(std::move(msg));
    return resp;
  };
  if (req.kind() == mv1::SERVICE_KIND_UNSPECIFIED || !mv1::ServiceKind_IsValid(req.kind()))
    return refuse(cv1::INVALID_REQUEST, "service kind missing");
  if (req.requested_node_id() < -1) return refuse(cv1::INVALID_REQUEST, "node id must be >= 0, or -1 to get one");

  change_set c;
  std::int32_t id = req.requested_node_id();
  std::int32_t next_id = st_.next_node_id;
  if (id == -1) {
    id = next_id++;
  } else {
    auto it = st_.services.find(id);
    if (it != st_.services.end() && it->second.kind() != req.kind())
      return refuse(cv1::INVALID_REQUEST, "node id " + std::to_string(id) + " is held by a live " +
                                              mv1::ServiceKind_Name(it->second.kind()));
    if (id >= next_id) next_id = id + 1;
  }
  if (next_id != st_.next_node_id) c.next_node_id = next_id;
  const std::uint64_t epoch = st_.next_registration_epoch;
  c.next_registration_epoch = epoch + 1;

  mv1::ServiceInfo svc;
  svc.set_kind(req.kind());
  svc.set_node_id(id);
  svc.set_rpc_url(req.rpc_url());
  svc.set_kafka_host(req.kafka_host());
  svc.set_kafka_port(req.kafka_port());
  svc.set_registration_epoch(epoch);
  c.upsert_services.push_back(svc);

  if (req.kind() == mv1::PARTITION_SERVER) {
    // A returning server takes back the leaderships it can hold: offline
    // partitions it is in the ISR of. Partitions it still leads get a new
    // leader epoch, fencing its previous incarnation.
    for (const auto& [name, topic] : st_.topics) {
      mv1::TopicInfo t = topic;
      bool changed = false;
      for (auto& p : *t.mutable_partitions()) {
        const bool unclean = p.leader() == -1 && !contains(p.isr(), id) && contains(p.replicas(), id) &&
                             unclean_allowed(topic);
        if (p.leader() == id || (p.leader() == -1 && contains(p.isr(), id)) || unclean) {
          p.set_leader(id);
          p.set_leader_epoch(p.leader_epoch() + 1);
          if (unclean) {
            p.clear_isr();
            p.add_isr(id);
            p.set_partition_epoch(p.partition_epoch() + 1);
          }
          changed = true;
        }
      }
      if (changed) c.upsert_topics.push_back(std::move(t));
    }
  }
  if (req.kind() == mv1::GROUP_COORDINATOR) {
    // A returning instance's shards get a new epoch: its previous incarnation is fenced.
    auto live = live_group_coordinators({});
    if (!std::count(live.begin(), live.end(), id)) live.push_back(id);
    c.group_shards = assign_group_shards(st_.group_shards, live, {id}, cluster::default_offsets_partitions);
  }
  if (!commit(c)) return refuse(cv1::STORAGE_FAILURE, "metadata store write failed");
  leases_.grant(id, epoch, now);
  shutting_down_.erase(id);
  log()->info("registered {} node {} epoch {} rpc {}{}", mv1::ServiceKind_Name(req.kind()), id, epoch,
              req.rpc_url().empty() ? "-" : req.rpc_url(),
              c.upsert_topics.empty() ? "" : fmt::format(" (leader of {} topics again)", c.upsert_topics.size()));
  resp.set_error(cv1::COORDINATOR_OK);
  resp.set_node_id(id);
  resp.set_registration_epoch(epoch);
  resp.set_lease_ttl_ms(static_cast<std::int32_t>(options_.lease_ttl.count()));
  resp.set_publish_url(options_.publish_url);
  resp.set_metadata_version(st_.version);
  return resp;
}

cv1::HeartbeatResponse coordinator_state::heartbeat(const cv1::HeartbeatRequest& req, time_point now) {
  expire_leases(now);
  cv1::HeartbeatResponse resp;
  switch (leases_.renew(req.node_id(), req.registration_epoch(), now)) {
    case lease_manager::renew_result::ok:
      resp.set_error(cv1::COORDINATOR_OK);
      break;
    case lease_manager::renew_result::expired:
      resp.set_error(cv1::LEASE_EXPIRED);
      break;
    case lease_manager::renew_result::stale_epoch:
      resp.set_error(cv1::STALE_EPOCH);
      break;
  }
  resp.set_metadata_version(st_.version);
  return resp;
}

std::size_t coordinator_state::expire_leases(time_point now) {
  auto expired = leases_.take_expired(now);
  if (expired.empty()) return 0;
  std::set<std::int32_t> gone(expired.begin(), expired.end());
  change_set c;
  for (auto id : expired)
    if (st_.services.count(id)) c.remove_services.push_back(id);

  auto live = [&](std::int32_t id) {
    auto it = st_.services.find(id);
    return !gone.count(id) && it != st_.services.end() && it->second.kind() == mv1::PARTITION_SERVER;
  };
  for (const auto& [name, topic] : st_.topics) {
    mv1::TopicInfo t = topic;
    bool changed = false;
    for (auto& p : *t.mutable_partitions()) {
      bool leader_gone = p.leader() != -1 && gone.count(p.leader());
      bool isr_touched = std::any_of(p.isr().begin(), p.isr().end(), [&](auto r) { return gone.count(r) != 0; });
      if (!leader_gone && !isr_touched) continue;
      google::protobuf::RepeatedField<std::int32_t> isr;
      for (auto r : p.isr())
        if (!gone.count(r)) isr.Add(r);
      if (leader_gone) {
        std::int32_t next = -1;
        for (auto r : isr)
          if (live(r) && !shutting_down_.count(r)) {
            next = r;
            break;
          }
        if (next < 0 && unclean_allowed(t)) {
          for (auto r : p.replicas())
            if (live(r) && !shutting_down_.count(r)) {
              next = r;
              break;
            }
          if (next >= 0) {
            log()->warn("unclean election: {}/{} led by {} from outside the ISR", t.name(), p.partition(), next);
            isr.Clear();
            isr.Add(next);
          }
        }
        p.set_leader(next);
        p.set_leader_epoch(p.leader_epoch() + 1);
      }
      // The ISR never becomes empty: with no live member left, the last
      // members stay recorded (as Kafka does) so the right replica can
      // take over cleanly when it returns.
      if (!isr.empty() && isr.size() != p.isr_size()) {
        *p.mutable_isr() = isr;
        p.set_partition_epoch(p.partition_epoch() + 1);
      }
      changed = true;
    }
    if (changed) c.upsert_topics.push_back(std::move(t));
  }
  // The dead instances' group shards go to the live ones.
  c.group_shards = assign_group_shards(st_.group_shards, live_group_coordinators(gone), {},
                                       cluster::default_offsets_partitions);
  if (!commit(c)) {
    // Try again at the next sweep rather than dropping the removal.
    for (auto id : expired) leases_.grant(id, st_.services.count(id) ? st_.services[id].registration_epoch() : 0,
                                          now - options_.lease_ttl);
    return 0;
  }
  for (auto id : expired)
    log()->info("lease of node {} expired: removed{}", id,
                c.upsert_topics.empty() ? "" : fmt::format(", leadership changes in {} topics", c.upsert_topics.size()));
  return expired.size();
}

mv1::ClusterSnapshot coordinator_state::snapshot() const {
  mv1::ClusterSnapshot s;
  s.set_version(st_.version);
  s.set_cluster_id(st_.cluster_id);
  s.set_controller_epoch(st_.controller_epoch);
  for (const auto& [id, svc] : st_.services) *s.add_services() = svc;
  for (const auto& [name, t] : st_.topics) *s.add_topics() = t;
  *s.mutable_group_shards() = st_.group_shards;
  return s;
}

// --- topics ----------------------------------------------------------------

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
      if (partitions > max_partitions)
        return fail(name, cv1::INVALID_PARTITIONS,
                    "Number of partitions must be at most " + std::to_string(max_partitions) + ".");
      if (rf < 1) return fail(name, cv1::INVALID_REPLICATION_FACTOR, "Replication factor must be larger than 0.");
      if (static_cast<std::size_t>(rf) > servers.size())
        return fail(name, cv1::INVALID_REPLICATION_FACTOR,
                    "Replication factor: " + std::to_string(rf) +
                        " larger than available brokers: " + std::to_string(servers.size()) + ".");
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
      cv1::TopicResult ok;
      ok.set_name(name);
      ok.set_error(cv1::COORDINATOR_OK);
      *ok.mutable_topic() = t;
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
      for (int i : created) {
        auto* r = resp.mutable_results(i);
        r->clear_topic();
        r->set_error(cv1::STORAGE_FAILURE);
        r->set_error_message("metadata store write failed");
      }
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
    cv1::TopicResult r;
    r.set_name(name);
    r.set_error(cv1::COORDINATOR_OK);
    *r.mutable_topic() = st_.topics.at(name);  // carries the id the gateway reports
    if (seen.insert(name).second) c.delete_topics.push_back(name);
    deleted.push_back(resp.results_size());
    *resp.add_results() = std::move(r);
  }
  if (!c.delete_topics.empty()) {
    if (!commit(c)) {
      for (int i : deleted) {
        resp.mutable_results(i)->set_error(cv1::STORAGE_FAILURE);
        resp.mutable_results(i)->set_error_message("metadata store write failed");
      }
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
      if (u.count() > max_partitions)
        return fail(name, cv1::INVALID_PARTITIONS,
                    "Number of partitions must be at most " + std::to_string(max_partitions) + ".");
      std::int32_t rf = current > 0 ? t.partitions(0).replicas_size() : options_.default_replication_factor;
      if (static_cast<std::size_t>(rf) > servers.size())
        return fail(name, cv1::INVALID_REPLICATION_FACTOR,
                    "Replication factor: " + std::to_string(rf) +
                        " larger than available brokers: " + std::to_string(servers.size()) + ".");
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
      cv1::TopicResult ok;
      ok.set_name(name);
      ok.set_error(cv1::COORDINATOR_OK);
      *ok.mutable_topic() = next;
      if (!req.validate_only()) c.upsert_topics.push_back(std::move(next));
      return ok;
    }();
    if (r.error() == cv1::COORDINATOR_OK && !req.validate_only()) changed.push_back(resp.results_size());
    *resp.add_results() = std::move(r);
  }
  if (!c.upsert_topics.empty()) {
    ++rr_start_;
    if (!commit(c)) {
      for (int i : changed) {
        auto* r = resp.mutable_results(i);
        r->clear_topic();
        r->set_error(cv1::STORAGE_FAILURE);
        r->set_error_message("metadata store write failed");
      }
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
  cv1::TopicResult ok;
  ok.set_name(name);
  ok.set_error(cv1::COORDINATOR_OK);
  *ok.mutable_topic() = next;
  std::map<std::string, std::string> before(it->second.configs().begin(), it->second.configs().end());
  if (!req.validate_only() && before != configs) {
    change_set c;
    c.upsert_topics.push_back(next);
    if (!commit(c)) {
      *resp.mutable_result() = fail(name, cv1::STORAGE_FAILURE, "metadata store write failed");
      return resp;
    }
    log()->info("topic {} configs now {} overrides", name, configs.size());
  }
  *resp.mutable_result() = std::move(ok);
  return resp;
}

}  // namespace sluice::coordinator
