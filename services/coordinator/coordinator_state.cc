// coordinator_state's core: opening the store, the one commit path
// (LMDB txn, then memory, then the published delta), the snapshot, and the
// queries the other files share. The RPCs live in the files named in
// coordinator_state.h.
#include "services/coordinator/coordinator_state.h"

#include <algorithm>

#include "common/config/topic_config.h"
#include "services/coordinator/state_helpers.h"
#include "services/coordinator/topic_rules.h"

namespace sluice::coordinator {

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
  if (!s->st_.finalized_features) {
    // A new store, or one from before features were cluster state: the
    // initial levels, as a change of their own (a new version), so services
    // still running from before see them at their next heartbeat.
    c.version = s->st_.version + 1;
    c.finalized_features = to_proto(s->options_.initial_features, static_cast<std::int64_t>(*c.version));
  }
  if (auto r = s->store_->commit(c); !r) return r.error();
  s->st_.controller_epoch = *c.controller_epoch;
  if (c.cluster_id) s->st_.cluster_id = *c.cluster_id;
  if (c.version) s->st_.version = *c.version;
  if (c.finalized_features) s->st_.finalized_features = c.finalized_features;
  s->set_coordinator_static_configs();
  // Leases are not persisted: services known from before get a grace TTL
  // to heartbeat (with their stored epoch) before they are dropped.
  for (const auto& [id, svc] : s->st_.services) s->leases_.grant(id, svc.registration_epoch(), now);
  log()->info("store loaded: cluster {} version {} controller epoch {}, {} topics, {} services, "
              "finalized features {} (epoch {})",
              s->st_.cluster_id, s->st_.version, s->st_.controller_epoch, s->st_.topics.size(),
              s->st_.services.size(), to_string(levels_of(*s->st_.finalized_features)),
              s->st_.finalized_features->epoch());
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
    delta.add_removed_services(id());
  }
  for (const auto& s : c.upsert_services) {
    st_.services[node_id{s.node_id()}] = s;
    *delta.add_upserted_services() = s;
  }
  if (c.group_shards) {
    st_.group_shards = *c.group_shards;
    *delta.mutable_group_shards() = *c.group_shards;
  }
  if (c.next_node_id) st_.next_node_id = *c.next_node_id;
  if (c.next_registration_epoch) st_.next_registration_epoch = *c.next_registration_epoch;
  if (c.next_producer_id) st_.next_producer_id = *c.next_producer_id;
  if (c.finalized_features) {
    st_.finalized_features = *c.finalized_features;
    *delta.mutable_finalized_features() = *c.finalized_features;
  }
  if (c.broker_configs) {
    st_.broker_configs = *c.broker_configs;
    *delta.mutable_broker_configs() = *c.broker_configs;
  }
  if (publish_) publish_(delta);
  return true;
}

bool coordinator_state::commit(topic_edits& edits) {
  change_set c;
  edits.move_into(c);
  return commit(c);
}

mv1::ClusterSnapshot coordinator_state::snapshot() const {
  mv1::ClusterSnapshot s;
  s.set_version(st_.version);
  s.set_cluster_id(st_.cluster_id);
  s.set_controller_epoch(st_.controller_epoch);
  for (const auto& [id, svc] : st_.services) *s.add_services() = svc;
  for (const auto& [name, t] : st_.topics) *s.add_topics() = t;
  *s.mutable_group_shards() = st_.group_shards;
  *s.mutable_finalized_features() = *st_.finalized_features;
  *s.mutable_broker_configs() = st_.broker_configs;
  return s;
}

std::vector<std::int32_t> coordinator_state::live_group_coordinators(const std::set<node_id>& leaving) const {
  std::vector<std::int32_t> out;
  for (const auto& [id, s] : st_.services)
    if (s.kind() == mv1::GROUP_COORDINATOR && !leaving.count(id)) out.push_back(id());
  return out;
}

std::vector<std::int32_t> coordinator_state::live_partition_servers() const {
  std::vector<std::int32_t> out;
  for (const auto& [id, s] : st_.services)
    if (s.kind() == mv1::PARTITION_SERVER) out.push_back(id());
  return out;  // std::map order: sorted by node id
}

bool coordinator_state::eligible(node_id id) const {
  auto it = st_.services.find(id);
  return it != st_.services.end() && it->second.kind() == mv1::PARTITION_SERVER && !shutting_down_.count(id);
}

partition_change_builder coordinator_state::change_of(const partition_record& p) const {
  return partition_change_builder(p, [this](node_id n) { return eligible(n); });
}

bool coordinator_state::current_partition_server(node_id id, std::uint64_t epoch) const {
  auto it = st_.services.find(id);
  return it != st_.services.end() && it->second.kind() == mv1::PARTITION_SERVER &&
         it->second.registration_epoch() == epoch;
}

election coordinator_state::election_on_leader_loss(const mv1::TopicInfo& t) const {
  // Topic override > cluster default (dynamic) > --unclean-leader-election.
  // A per-broker value is refused (broker_configs.cc): elections are the
  // coordinator's, not one broker's.
  constexpr const char* key = "unclean.leader.election.enable";
  const auto& defaults = st_.broker_configs.cluster_defaults();
  auto topic = t.configs().find(key);
  auto cluster = defaults.find(key);
  const bool unclean = topic != t.configs().end()      ? config::parse_boolean(topic->second)
                       : cluster != defaults.end() ? config::parse_boolean(cluster->second)
                                                   : options_.unclean_leader_election;
  return unclean ? election::unclean : election::online;
}

// --- shared helpers (state_helpers.h) ----------------------------------------

mv1::PartitionInfo* find_partition(mv1::TopicInfo& t, std::int32_t partition) {
  for (auto& p : *t.mutable_partitions())
    if (p.partition() == partition) return &p;
  return nullptr;
}

const mv1::PartitionInfo* find_partition(const mv1::TopicInfo& t, std::int32_t partition) {
  for (const auto& p : t.partitions())
    if (p.partition() == partition) return &p;
  return nullptr;
}

mv1::PartitionInfo* topic_edits::partition(const std::string& topic, std::int32_t partition) {
  auto it = edited_.find(topic);
  if (it == edited_.end()) {
    auto known = topics_.find(topic);
    if (known == topics_.end()) return nullptr;
    it = edited_.emplace(topic, known->second).first;
  }
  return find_partition(it->second, partition);
}

void topic_edits::move_into(change_set& c) {
  for (auto& [name, t] : edited_) c.upsert_topics.push_back(std::move(t));
  edited_.clear();
}

void change_every_partition(const std::map<std::string, mv1::TopicInfo>& topics, change_set& c,
                            const partition_change_fn& change) {
  for (const auto& [name, topic] : topics) {
    std::optional<mv1::TopicInfo> edited;
    for (int i = 0; i < topic.partitions_size(); ++i) {
      auto next = change(topic, partition_record::from_proto(topic.partitions(i)));
      if (!next) continue;
      if (!edited) edited = topic;
      *edited->mutable_partitions(i) = next->to_proto();
    }
    if (edited) c.upsert_topics.push_back(std::move(*edited));
  }
}

}  // namespace sluice::coordinator
