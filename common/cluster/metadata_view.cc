#include "common/cluster/metadata_view.h"

#include <algorithm>

namespace sluice::cluster {

metadata_view::metadata_view(mv1::ClusterSnapshot snapshot) : snapshot_(std::move(snapshot)) { index(); }

void metadata_view::index() {
  topics_.clear();
  by_name_.clear();
  by_id_.clear();
  services_.clear();
  for (const auto& t : snapshot_.topics()) {
    topics_.push_back(&t);
    by_name_.emplace(t.name(), &t);
    by_id_.emplace(t.topic_id(), &t);
  }
  std::sort(topics_.begin(), topics_.end(), [](auto* a, auto* b) { return a->name() < b->name(); });
  for (const auto& s : snapshot_.services()) services_.push_back(&s);
  std::sort(services_.begin(), services_.end(), [](auto* a, auto* b) { return a->node_id() < b->node_id(); });
}

std::shared_ptr<const metadata_view> metadata_view::apply(const mv1::MetadataDelta& delta) const {
  mv1::ClusterSnapshot next;
  next.set_version(delta.version());
  next.set_cluster_id(snapshot_.cluster_id());
  next.set_controller_epoch(std::max(delta.controller_epoch(), snapshot_.controller_epoch()));

  auto deleted = [&](const std::string& name) {
    return std::find(delta.deleted_topics().begin(), delta.deleted_topics().end(), name) !=
           delta.deleted_topics().end();
  };
  auto upserted_topic = [&](const std::string& name) -> const mv1::TopicInfo* {
    for (const auto& t : delta.upserted_topics())
      if (t.name() == name) return &t;
    return nullptr;
  };
  for (const auto& t : snapshot_.topics()) {
    if (deleted(t.name()) || upserted_topic(t.name())) continue;
    *next.add_topics() = t;
  }
  for (const auto& t : delta.upserted_topics())
    if (!deleted(t.name())) *next.add_topics() = t;

  auto removed = [&](std::int32_t id) {
    return std::find(delta.removed_services().begin(), delta.removed_services().end(), id) !=
           delta.removed_services().end();
  };
  auto upserted_service = [&](std::int32_t id) {
    for (const auto& s : delta.upserted_services())
      if (s.node_id() == id) return true;
    return false;
  };
  for (const auto& s : snapshot_.services()) {
    if (removed(s.node_id()) || upserted_service(s.node_id())) continue;
    *next.add_services() = s;
  }
  for (const auto& s : delta.upserted_services())
    if (!removed(s.node_id())) *next.add_services() = s;
  *next.mutable_group_shards() = delta.has_group_shards() ? delta.group_shards() : snapshot_.group_shards();
  if (delta.has_finalized_features()) {
    *next.mutable_finalized_features() = delta.finalized_features();
  } else if (snapshot_.has_finalized_features()) {
    *next.mutable_finalized_features() = snapshot_.finalized_features();
  }
  *next.mutable_broker_configs() = delta.has_broker_configs() ? delta.broker_configs() : snapshot_.broker_configs();
  return std::make_shared<const metadata_view>(std::move(next));
}

config::broker_layers metadata_view::broker_layers(std::int32_t node_id) const {
  const auto& all = snapshot_.broker_configs();
  config::broker_layers out;
  out.cluster.insert(all.cluster_defaults().begin(), all.cluster_defaults().end());
  out.static_flags.insert(all.coordinator_static().begin(), all.coordinator_static().end());
  if (auto it = all.brokers().find(node_id); node_id >= 0 && it != all.brokers().end()) {
    out.broker.insert(it->second.dynamic().begin(), it->second.dynamic().end());
    out.static_flags.insert(it->second.static_flags().begin(), it->second.static_flags().end());
  }
  return out;
}

const mv1::TopicInfo* metadata_view::topic(std::string_view name) const {
  auto it = by_name_.find(name);
  return it == by_name_.end() ? nullptr : it->second;
}

const mv1::TopicInfo* metadata_view::topic_by_id(std::string_view id) const {
  auto it = by_id_.find(id);
  return it == by_id_.end() ? nullptr : it->second;
}

const mv1::PartitionInfo* metadata_view::partition(std::string_view name, std::int32_t p) const {
  const auto* t = topic(name);
  if (!t) return nullptr;
  for (const auto& part : t->partitions())
    if (part.partition() == p) return &part;
  return nullptr;
}

const mv1::ServiceInfo* metadata_view::service(std::int32_t node_id) const {
  auto it = std::lower_bound(services_.begin(), services_.end(), node_id,
                             [](const mv1::ServiceInfo* s, std::int32_t id) { return s->node_id() < id; });
  return it != services_.end() && (*it)->node_id() == node_id ? *it : nullptr;
}

std::int16_t metadata_view::finalized_level(std::string_view feature) const {
  for (const auto& f : snapshot_.finalized_features().features())
    if (f.name() == feature) return static_cast<std::int16_t>(f.level());
  return 0;
}

std::vector<const mv1::ServiceInfo*> metadata_view::services(mv1::ServiceKind kind) const {
  std::vector<const mv1::ServiceInfo*> out;
  for (const auto* s : services_)
    if (s->kind() == kind) out.push_back(s);
  return out;
}

}  // namespace sluice::cluster
