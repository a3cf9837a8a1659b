#include "services/partition-server/actors/replica_manager.h"

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <utility>

#include <caf/all.hpp>
#include <google/protobuf/util/message_differencer.h>

#include "common/config/broker_config.h"
#include "services/partition-server/actors/partition_actor.h"
#include "services/partition-server/actors/replica_fetcher.h"
#include "services/partition-server/log_dir.h"
#include "services/partition-server/logger.h"
#include "services/partition-server/partition_probe.h"
#include "services/partition-server/partition_state.h"
#include "services/partition-server/wall_clock.h"

namespace sluice::partition_server {

namespace fs = std::filesystem;
namespace mv1 = sluice::metadata::v1;

namespace {

using replica_key = std::pair<std::string, std::int32_t>;

struct hosted_replica {
  caf::actor actor;
  std::string topic_id;
  std::map<std::string, std::string> configs;  // topic overrides over this broker's defaults
  mv1::PartitionInfo info;       // as last sent to the actor
  node_id following = no_node;   // the leader node whose fetcher copies it
};

struct fetcher {
  caf::actor actor;
  std::string url;
  std::size_t partitions = 0;
};

/// What the latest view asks this node to host.
struct wanted_replica {
  const mv1::TopicInfo* topic = nullptr;
  const mv1::PartitionInfo* partition = nullptr;
};

struct manager_state {
  replica_manager_options options;
  std::map<replica_key, hosted_replica> hosted;
  std::set<replica_key> stopping;  // asked to stop, not yet confirmed
  view_ptr latest;
  node_id self = no_node;
  bool scanned_orphans = false;
  std::map<node_id, fetcher> fetchers;  // by source (leader) node
  config::broker_layers broker_layers;  // this node's broker configs, from the latest view
};

std::string label(const replica_key& k) { return k.first + "/" + std::to_string(k.second); }

/// The configs a replica of `topic` uses here: the topic's overrides >
/// this broker's dynamic value > the cluster default > our static flag
/// (then Kafka's default, in make_log_config).
std::map<std::string, std::string> replica_configs(const manager_state& st, const mv1::TopicInfo& topic) {
  return config::with_broker_defaults(st.broker_layers, config::to_std_map(topic.configs()));
}

std::map<replica_key, wanted_replica> wanted_by(const cluster::metadata_view& view, node_id self) {
  std::map<replica_key, wanted_replica> out;
  if (self < node_id{0}) return out;
  for (const auto* t : view.topics()) {
    for (const auto& p : t->partitions()) {
      if (std::find(p.replicas().begin(), p.replicas().end(), self()) != p.replicas().end())
        out[{t->name(), p.partition()}] = {t, &p};
    }
  }
  return out;
}

/// Directories of topics that no longer exist (deleted while we were down).
void remove_orphans(manager_state& st, const cluster::metadata_view& view,
                    const std::map<replica_key, wanted_replica>& wanted) {
  for (auto& found : scan_log_dirs(st.options.data_dir)) {
    replica_key key{found.topic, found.partition};
    if (wanted.count(key) || st.hosted.count(key) || st.stopping.count(key)) continue;
    const auto* topic = view.topic(found.topic);
    if (topic && topic->topic_id() == found.topic_id) continue;  // still exists; not ours to judge
    std::error_code ec;
    fs::remove_all(found.path, ec);
    if (ec)
      log()->warn("[{}] cannot remove orphaned log dir {}: {}", label(key), found.path.string(), ec.message());
    else
      log()->info("[{}] removed log dir of a deleted topic: {}", label(key), found.path.string());
  }
}

void open_replica(caf::event_based_actor* self, manager_state& st, const replica_key& key,
                  const wanted_replica& w) {
  const fs::path dir = log_dir_path(st.options.data_dir, key.first, key.second);
  auto prepared = prepare_log_dir(dir, w.topic->topic_id());
  if (!prepared) {
    log()->error("[{}] cannot prepare {}: {}", label(key), dir.string(), prepared.error().message());
    return;
  }
  if (prepared.value()) log()->info("[{}] wiped {}: it held a deleted topic of the same name", label(key), dir.string());
  auto configs = replica_configs(st, *w.topic);
  auto state = partition_state::open(dir, key.first, key.second, config::make_log_config(configs), wall_clock_ms());
  if (!state) {
    log()->error("[{}] cannot open log in {}: {}", label(key), dir.string(), state.error().message());
    return;
  }
  state.value()->set_replication(st.options.replication);
  state.value()->set_partition_info(*w.partition, st.self, wall_clock_ms());
  const bool leader = state.value()->is_leader();
  log()->info("[{}] opened log: offsets {}..{}, {} at epoch {}", label(key), state.value()->log_start_offset(),
              state.value()->log_end_offset(), leader ? "leader" : "follower", w.partition->leader_epoch());
  std::shared_ptr<partition_state> shared(std::move(state.value()));
  hosted_replica h;
  h.actor = self->spawn(partition_actor, std::move(shared), st.options.retention_check, st.options.isr_sender,
                        st.options.verifier);
  h.topic_id = w.topic->topic_id();
  h.configs = std::move(configs);
  h.info = *w.partition;
  st.hosted.emplace(key, std::move(h));
}

void publish_routes(manager_state& st, const cluster::metadata_view& view) {
  auto r = std::make_shared<routes>();
  r->this_node = st.self;
  for (const auto* t : view.topics()) {
    auto& tr = r->topics[t->name()];
    std::size_t count = 0;
    for (const auto& p : t->partitions())
      count = std::max(count, static_cast<std::size_t>(std::max(p.partition(), 0)) + 1);
    tr.actors.resize(count);
    tr.leaders.assign(count, no_node);
    for (const auto& p : t->partitions()) {
      if (p.partition() < 0) continue;
      const auto idx = static_cast<std::size_t>(p.partition());
      tr.leaders[idx] = node_id{p.leader()};
      auto it = st.hosted.find({t->name(), p.partition()});
      if (it != st.hosted.end() && it->second.topic_id == t->topic_id()) tr.actors[idx] = it->second.actor;
    }
  }
  for (const auto& shard : view.snapshot().group_shards().shards()) {
    if (shard.partition() < 0) continue;
    const auto idx = static_cast<std::size_t>(shard.partition());
    if (r->group_shard_epochs.size() <= idx) r->group_shard_epochs.resize(idx + 1, shard_epoch{0});
    r->group_shard_epochs[idx] = shard_epoch{shard.epoch()};
  }
  st.options.routes->publish(std::move(r));
  partition_probe::get().hosted_replicas.set(static_cast<std::int64_t>(st.hosted.size()));
}

void unfollow(caf::event_based_actor* self, manager_state& st, const replica_key& key, hosted_replica& h) {
  if (h.following == no_node) return;
  auto it = st.fetchers.find(h.following);
  h.following = no_node;
  if (it == st.fetchers.end()) return;
  self->send(it->second.actor, unfollow_atom::value, key.first, key.second);
  if (--it->second.partitions == 0) {
    self->send_exit(it->second.actor, caf::exit_reason::user_shutdown);
    st.fetchers.erase(it);
  }
}

/// Points the replica at the fetcher of its current leader (or at none).
void follow(caf::event_based_actor* self, manager_state& st, const cluster::metadata_view& view,
            const replica_key& key, hosted_replica& h) {
  const node_id leader{h.info.leader()};
  const auto* source = leader >= node_id{0} && leader != st.self ? view.service(leader()) : nullptr;
  const node_id wanted = source && !source->rpc_url().empty() ? leader : no_node;
  if (wanted == h.following) return;
  unfollow(self, st, key, h);
  if (wanted == no_node) return;
  auto it = st.fetchers.find(wanted);
  if (it == st.fetchers.end()) {
    fetcher f;
    f.url = source->rpc_url();
    f.actor = self->spawn(replica_fetcher, st.self, wanted, f.url);
    it = st.fetchers.emplace(wanted, std::move(f)).first;
  }
  ++it->second.partitions;
  h.following = wanted;
  self->send(it->second.actor, follow_atom::value, key.first, key.second, h.actor);
}

void update_fetcher_urls(caf::event_based_actor* self, manager_state& st, const cluster::metadata_view& view) {
  for (auto& [node, f] : st.fetchers) {
    const auto* svc = view.service(node());
    if (!svc || svc->rpc_url().empty() || svc->rpc_url() == f.url) continue;
    f.url = svc->rpc_url();
    self->send(f.actor, url_atom::value, f.url);
  }
}

void reconcile(caf::event_based_actor* self, const std::shared_ptr<manager_state>& st) {
  if (!st->latest || st->latest->version() == 0) return;
  const auto& view = *st->latest;
  auto wanted = wanted_by(view, st->self);
  st->broker_layers = view.broker_layers(st->self());

  // Stop replicas that are no longer wanted or belong to an older incarnation.
  for (auto it = st->hosted.begin(); it != st->hosted.end();) {
    auto w = wanted.find(it->first);
    const bool keep = w != wanted.end() && w->second.topic->topic_id() == it->second.topic_id;
    if (keep) {
      ++it;
      continue;
    }
    const replica_key key = it->first;
    const bool topic_gone = !view.topic(key.first) || view.topic(key.first)->topic_id() != it->second.topic_id;
    log()->info("[{}] stopping replica ({})", label(key), topic_gone ? "topic deleted" : "no longer a replica here");
    st->stopping.insert(key);
    unfollow(self, *st, key, it->second);
    auto done = [self, st, key] {
      st->stopping.erase(key);
      reconcile(self, st);
    };
    self->request(it->second.actor, caf::infinite, stop_atom::value, true)
        .then([done](bool) { done(); }, [done, key](caf::error& err) {
          log()->warn("[{}] replica actor ended without confirming its stop: {}", label(key), caf::to_string(err));
          done();
        });
    it = st->hosted.erase(it);
  }

  if (!st->scanned_orphans) {
    remove_orphans(*st, view, wanted);
    st->scanned_orphans = true;
  }

  // Open new replicas; pass leadership and config changes to existing ones.
  for (const auto& [key, w] : wanted) {
    auto it = st->hosted.find(key);
    if (it == st->hosted.end()) {
      if (!st->stopping.count(key)) open_replica(self, *st, key, w);
      continue;
    }
    auto& h = it->second;
    if (!google::protobuf::util::MessageDifferencer::Equals(h.info, *w.partition)) {
      h.info = *w.partition;
      self->send(h.actor, info_atom::value, h.info, st->self);
    }
    auto configs = replica_configs(*st, *w.topic);
    if (configs != h.configs) {
      log()->info("[{}] topic or broker config changed", label(key));
      h.configs = std::move(configs);
      self->send(h.actor, config_atom::value, config::make_log_config(h.configs));
    }
  }

  update_fetcher_urls(self, *st, view);
  for (auto& [key, h] : st->hosted) follow(self, *st, view, key, h);

  publish_routes(*st, view);
  st->options.applied_version->store(view.version(), std::memory_order_release);
}

}  // namespace

caf::behavior replica_manager(caf::event_based_actor* self, replica_manager_options options) {
  auto st = std::make_shared<manager_state>();
  st->options = std::move(options);
  self->attach_functor([st] {
    for (auto& [node, f] : st->fetchers) caf::anon_send_exit(f.actor, caf::exit_reason::user_shutdown);
    st->fetchers.clear();
    for (auto& [key, h] : st->hosted) caf::anon_send_exit(h.actor, caf::exit_reason::user_shutdown);
    st->hosted.clear();
  });
  return {
      [self, st](fence_atom) {
        // Our lease is gone, so the coordinator may have elected other
        // leaders already: stop acknowledging as a leader until the next
        // view says what we are.
        std::size_t fenced = 0;
        for (auto& [key, h] : st->hosted) {
          if (node_id{h.info.leader()} != st->self) continue;
          h.info.set_leader(no_node());
          self->send(h.actor, info_atom::value, h.info, st->self);
          ++fenced;
        }
        if (fenced > 0) log()->warn("lease lost: {} leaderships fenced until the coordinator says otherwise", fenced);
      },
      [self, st](view_atom, const view_ptr& view, node_id me) {
        if (!view) return;
        if (st->latest && view->version() < st->latest->version()) return;  // late delivery of an older view
        if (me >= node_id{0} && st->self >= node_id{0} && me != st->self)
          log()->warn("node id changed from {} to {}", st->self, me);
        if (me >= node_id{0}) st->self = me;
        st->latest = view;
        reconcile(self, st);
      },
  };
}

}  // namespace sluice::partition_server
