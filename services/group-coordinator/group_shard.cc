#include "services/group-coordinator/group_shard.h"

#include <algorithm>
#include <set>

namespace sluice::group_coordinator {

group_shard::group_shard(std::int32_t partition, std::int64_t epoch, const group_options& options, record_log& log)
    : partition_(partition), epoch_(epoch), options_(options), log_(log) {}

classic_group* group_shard::classic(const std::string& group) {
  auto it = classic_.find(group);
  return it == classic_.end() ? nullptr : it->second.get();
}

consumer_group* group_shard::consumer(const std::string& group) {
  auto it = consumer_.find(group);
  return it == consumer_.end() ? nullptr : it->second.get();
}

bool group_shard::exists(const std::string& group) const {
  return classic_.count(group) || consumer_.count(group) || offsets_.count(group);
}

classic_group* group_shard::classic_or_create(const std::string& group) {
  if (auto* g = classic(group)) return g;
  if (auto* c = consumer(group)) {
    if (!c->empty()) return nullptr;
    consumer_.erase(group);  // an empty group may change protocol
  }
  auto g = std::make_unique<classic_group>(
      group, options_, [this](const classic_group& g, std::function<void(error_code)> done) { store_classic(g, std::move(done)); });
  return classic_.emplace(group, std::move(g)).first->second.get();
}

consumer_group* group_shard::consumer_or_create(const std::string& group) {
  if (auto* g = consumer(group)) return g;
  if (auto* c = classic(group)) {
    if (!c->empty()) return nullptr;
    classic_.erase(group);
  }
  return consumer_.emplace(group, std::make_unique<consumer_group>(group, options_)).first->second.get();
}

void group_shard::store_classic(const classic_group& g, std::function<void(error_code)> done) {
  group_value v;
  v.protocol_type = g.protocol_type();
  v.generation = g.generation();
  v.protocol = g.protocol_name();
  v.leader = g.leader();
  v.state_timestamp = wall_clock_ms();
  for (const auto& [id, m] : g.members()) {
    const std::string* md = g.protocol_name() ? m.metadata_for(*g.protocol_name()) : nullptr;
    v.members.push_back({id, m.instance_id, m.client_id, m.client_host, m.rebalance_timeout_ms, m.session_timeout_ms,
                         md ? *md : std::string(), m.assignment});
  }
  std::vector<record_log::record> records{{encode_key(group_key{g.id()}), encode_value(v)}};
  // The group may be gone by the time the write is done (deleted, or the shard closed).
  auto alive = alive_;
  log_.append(partition_, epoch_, std::move(records), [this, alive, id = g.id(), group = &g, done = std::move(done)](error_code e) {
    if (*alive && classic(id) == group) done(e);
  });
}

void group_shard::commit(const std::string& group, std::vector<std::pair<topic_partition, offset_value>> offsets,
                         std::function<void(error_code)> done) {
  std::vector<record_log::record> records;
  records.reserve(offsets.size());
  for (const auto& [tp, v] : offsets)
    records.push_back({encode_key(offset_key{group, tp.first, tp.second}), encode_value(v)});
  auto alive = alive_;
  log_.append(partition_, epoch_, std::move(records),
              [this, alive, group, offsets = std::move(offsets), done = std::move(done)](error_code e) {
                if (!*alive) return;
                if (e == error_code::none) {
                  auto& stored = offsets_[group];
                  for (const auto& [tp, v] : offsets) stored[tp] = v;
                }
                done(e);
              });
}

const group_offsets* group_shard::offsets(const std::string& group) const {
  auto it = offsets_.find(group);
  return it == offsets_.end() ? nullptr : &it->second;
}

void group_shard::delete_offsets(const std::string& group, std::vector<topic_partition> partitions,
                                 std::function<void(error_code)> done) {
  std::vector<record_log::record> records;
  for (const auto& tp : partitions) records.push_back({encode_key(offset_key{group, tp.first, tp.second}), std::nullopt});
  auto alive = alive_;
  log_.append(partition_, epoch_, std::move(records),
              [this, alive, group, partitions = std::move(partitions), done = std::move(done)](error_code e) {
                if (!*alive) return;
                if (e == error_code::none) {
                  auto it = offsets_.find(group);
                  if (it != offsets_.end()) {
                    for (const auto& tp : partitions) it->second.erase(tp);
                    if (it->second.empty()) offsets_.erase(it);
                  }
                }
                done(e);
              });
}

void group_shard::delete_group(const std::string& group, std::function<void(error_code)> done) {
  std::vector<record_log::record> records;
  if (auto it = offsets_.find(group); it != offsets_.end())
    for (const auto& [tp, v] : it->second)
      records.push_back({encode_key(offset_key{group, tp.first, tp.second}), std::nullopt});
  records.push_back({encode_key(group_key{group}), std::nullopt});
  auto alive = alive_;
  log_.append(partition_, epoch_, std::move(records), [this, alive, group, done = std::move(done)](error_code e) {
    if (!*alive) return;
    if (e == error_code::none) {
      offsets_.erase(group);
      if (auto* g = classic(group)) g->mark_dead(error_code::group_id_not_found);
      classic_.erase(group);
      consumer_.erase(group);
    }
    done(e);
  });
}

void group_shard::apply(std::string_view key, std::optional<std::string_view> value, time_point now) {
  auto k = decode_key(key);
  if (auto* ok = std::get_if<offset_key>(&k)) {
    if (!value) {
      auto it = offsets_.find(ok->group);
      if (it != offsets_.end()) {
        it->second.erase({ok->topic, ok->partition});
        if (it->second.empty()) offsets_.erase(it);
      }
      return;
    }
    offsets_[ok->group][{ok->topic, ok->partition}] = decode_offset_value(*value);
  } else if (auto* gk = std::get_if<group_key>(&k)) {
    if (!value) {
      classic_.erase(gk->group);
      return;
    }
    restore_classic(gk->group, decode_group_value(*value), now);
  }
}

void group_shard::restore_classic(const std::string& group, group_value v, time_point now) {
  auto* g = classic_or_create(group);
  if (g == nullptr) return;
  std::vector<classic_member> members;
  for (auto& sm : v.members) {
    classic_member m;
    m.member_id = std::move(sm.member_id);
    m.instance_id = std::move(sm.instance_id);
    m.client_id = std::move(sm.client_id);
    m.client_host = std::move(sm.client_host);
    m.rebalance_timeout_ms = sm.rebalance_timeout_ms;
    m.session_timeout_ms = sm.session_timeout_ms;
    if (v.protocol) m.protocols.push_back({*v.protocol, std::move(sm.subscription)});
    m.assignment = std::move(sm.assignment);
    members.push_back(std::move(m));
  }
  g->restore(std::move(v.protocol_type), v.generation, std::move(v.protocol), std::move(v.leader), std::move(members), now);
}

std::vector<group_shard::listing> group_shard::list() const {
  std::vector<listing> out;
  for (const auto& [id, g] : classic_)
    out.push_back({id, g->protocol_type(), state_name(g->state()), "classic"});
  for (const auto& [id, g] : consumer_) out.push_back({id, "consumer", g->state_name(), "consumer"});
  // Groups known only by their offsets (standalone commits) are empty classic groups.
  for (const auto& [id, o] : offsets_)
    if (!classic_.count(id) && !consumer_.count(id)) out.push_back({id, "", "Empty", "classic"});
  return out;
}

void group_shard::tick(const topic_catalog& topics, time_point now) {
  for (auto& [id, g] : classic_) g->tick(now);
  for (auto& [id, g] : consumer_) g->tick(topics, now);
}

std::size_t group_shard::expire_offsets(std::int64_t wall_now_ms, const topic_catalog& topics) {
  // Kafka counts an empty group's retention from when it became empty. We
  // count from the last check that saw it with members, and from our first
  // check for groups we have not seen active (after a replay): never sooner.
  if (first_check_ms_ < 0) first_check_ms_ = wall_now_ms;
  const std::int64_t retention = options_.offsets_retention.count();
  std::size_t expiring = 0;
  for (const auto& [group, stored] : offsets_) {
    // Topics someone in the group still consumes keep their offsets.
    std::set<std::string> in_use;
    bool active = false;
    if (auto* g = classic(group); g && !g->empty()) {
      last_active_ms_[group] = wall_now_ms;
      if (g->protocol_type() != "consumer") continue;  // nothing tells which topics it uses: keep all
      in_use = g->subscribed_topics();
      active = true;
    }
    if (auto* c = consumer(group); c && !c->empty()) {
      last_active_ms_[group] = wall_now_ms;
      in_use = c->subscribed_topics(topics);
      active = true;
    }
    auto seen = last_active_ms_.find(group);
    const std::int64_t since = active ? 0 : (seen != last_active_ms_.end() ? seen->second : first_check_ms_);
    std::vector<topic_partition> old;
    for (const auto& [tp, v] : stored)
      if (!in_use.count(tp.first) && std::max(v.commit_timestamp, since) + retention <= wall_now_ms) old.push_back(tp);
    if (old.empty()) continue;
    expiring += old.size();
    delete_offsets(group, std::move(old), [](error_code) {});  // a failed write is retried at the next check
  }
  return expiring;
}

void group_shard::close() {
  *alive_ = false;
  for (auto& [id, g] : classic_) g->mark_dead(error_code::not_coordinator);
}

}  // namespace sluice::group_coordinator
