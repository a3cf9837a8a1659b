#include "services/group-coordinator/group_shard.h"

#include <algorithm>
#include <set>
#include <type_traits>

#include "services/group-coordinator/consumer/consumer_group_store.h"
#include "services/group-coordinator/records/consumer_group_records.h"

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
    if (!c->empty() || consumer_writing(group)) return nullptr;
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
  if (consumer_writing(group)) return done(error_code::non_empty_group);
  std::vector<record_log::record> records;
  if (auto it = offsets_.find(group); it != offsets_.end())
    for (const auto& [tp, v] : it->second)
      records.push_back({encode_key(offset_key{group, tp.first, tp.second}), std::nullopt});
  if (auto* c = consumer(group)) {
    auto tombstones = consumer_group_tombstones(*c);
    records.insert(records.end(), std::make_move_iterator(tombstones.begin()), std::make_move_iterator(tombstones.end()));
    // Heartbeats meanwhile wait, and then start a new group.
    consumer_writes_[group].writing = true;
  }
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
    if (auto it = consumer_writes_.find(group); it != consumer_writes_.end()) {
      it->second.writing = false;
      next_consumer_op(group);
    }
  });
}

namespace {

/// Kafka's answer to a heartbeat whose records could not be written
/// (GroupCoordinatorService: retriable coordinator errors pass, a record
/// too large is UNKNOWN_SERVER_ERROR).
error_code heartbeat_write_error(error_code e) {
  return e == error_code::invalid_commit_offset_size ? error_code::unknown_server_error : e;
}

consumer_heartbeat_result refused(error_code e, std::string message = {}) {
  consumer_heartbeat_result r;
  r.error = e;
  r.error_message = std::move(message);
  return r;
}

}  // namespace

bool group_shard::consumer_writing(const std::string& group) const {
  auto it = consumer_writes_.find(group);
  return it != consumer_writes_.end() && it->second.writing;
}

void group_shard::consumer_group_heartbeat(const std::string& group, consumer_heartbeat req,
                                           const topic_catalog& topics, time_point now,
                                           std::function<void(consumer_heartbeat_result)> done) {
  if (consumer_writing(group)) {
    consumer_writes_[group].waiting.push_back(
        [this, group, req = std::move(req), topics = &topics, now, done = std::move(done)](bool run) mutable {
          if (!run) return done(refused(error_code::not_coordinator));
          consumer_group_heartbeat(group, std::move(req), *topics, now, std::move(done));
        });
    return;
  }
  auto* live = consumer_or_create(group);
  if (!live) return done(refused(error_code::group_id_not_found, "Group " + group + " is not a consumer group."));
  auto next = std::make_unique<consumer_group>(*live);
  auto result = next->heartbeat(std::move(req), topics, now);
  auto records = consumer_group_changes(*live, *next, topics);
  if (records.empty()) {  // a plain heartbeat: only its session moved
    consumer_[group] = std::move(next);
    return done(std::move(result));
  }
  write_consumer(group, std::move(next), std::move(records),
                 [done = std::move(done), result = std::move(result)](error_code e) mutable {
                   if (e != error_code::none) result = refused(heartbeat_write_error(e));
                   done(std::move(result));
                 });
}

void group_shard::write_consumer(const std::string& group, std::unique_ptr<consumer_group> next,
                                 std::vector<record_log::record> records, std::function<void(error_code)> done) {
  auto& w = consumer_writes_[group];
  w.writing = true;
  w.in_flight = std::move(done);
  auto alive = alive_;
  std::shared_ptr<consumer_group> written(std::move(next));
  log_.append(partition_, epoch_, std::move(records), [this, alive, group, written](error_code e) {
    if (!*alive) return;  // close() answered
    auto& w = consumer_writes_[group];
    auto done = std::move(w.in_flight);
    w.in_flight = nullptr;
    w.writing = false;
    if (e == error_code::none) consumer_[group] = std::make_unique<consumer_group>(std::move(*written));
    if (done) done(e);
    next_consumer_op(group);
  });
}

void group_shard::next_consumer_op(const std::string& group) {
  for (;;) {
    auto it = consumer_writes_.find(group);
    if (it == consumer_writes_.end()) return;
    if (it->second.writing) return;
    if (it->second.waiting.empty()) {
      consumer_writes_.erase(it);
      return;
    }
    auto op = std::move(it->second.waiting.front());
    it->second.waiting.pop_front();
    op(true);
  }
}

void group_shard::apply(std::string_view key, std::optional<std::string_view> value, const topic_catalog& topics,
                        time_point now) {
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
  } else {
    apply_consumer(key, value, topics, now);
  }
}

void group_shard::apply_consumer(std::string_view key, std::optional<std::string_view> value,
                                 const topic_catalog& topics, time_point now) {
  auto k = decode_consumer_key(key);
  if (std::holds_alternative<std::monostate>(k)) return;  // transactions, or newer record types
  const std::string group = std::visit(
      [](const auto& key) -> std::string {
        if constexpr (std::is_same_v<std::decay_t<decltype(key)>, std::monostate>) return {};
        else return key.group;
      },
      k);
  if (!value && std::holds_alternative<consumer_group_epoch_key>(k)) {
    consumer_.erase(group);  // deleted (its other records' tombstones came first)
    return;
  }
  if (!value && !consumer(group)) return;  // tombstones of a group already gone
  // The latest protocol wins: a group replaces an empty one of the other
  // kind, as consumer_or_create does when serving.
  auto* g = consumer_or_create(group);
  if (g == nullptr) return;
  replay_consumer_record(*g, k, value, topics, now);
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
  for (auto& [id, g] : consumer_) {
    if (consumer_writing(id) || !g->tick_due(topics, now)) continue;
    auto next = std::make_unique<consumer_group>(*g);
    next->tick(topics, now);
    auto records = consumer_group_changes(*g, *next, topics);
    if (records.empty()) {
      g = std::move(next);
      continue;
    }
    write_consumer(id, std::move(next), std::move(records), {});  // a failed write: the next tick tries again
  }
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
  auto writes = std::move(consumer_writes_);
  consumer_writes_.clear();
  for (auto& [id, w] : writes) {
    if (w.in_flight) w.in_flight(error_code::not_coordinator);
    for (auto& op : w.waiting) op(false);
  }
}

}  // namespace sluice::group_coordinator
