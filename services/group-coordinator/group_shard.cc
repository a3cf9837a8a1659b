// group_shard: lookups, replay, listing, timers and closing. The
// operations are in group_shard_classic.cc (classic protocol),
// group_shard_consumer.cc (KIP-848), group_shard_offsets.cc (offsets,
// DeleteGroups, retention) and group_shard_txn.cc (transactional offsets).
#include "services/group-coordinator/group_shard.h"

#include <type_traits>

#include "services/group-coordinator/classic/classic_group_store.h"
#include "services/group-coordinator/consumer/consumer_group_store.h"
#include "services/group-coordinator/records/consumer_group_records.h"

namespace sluice::group_coordinator {

group_shard::group_shard(std::int32_t partition, std::int64_t epoch, const group_options& options, record_log& log)
    : partition_(partition), epoch_(epoch), options_(options), writer_(log, partition, epoch) {}

group_shard::live_group<classic_group>* group_shard::find_classic(const std::string& group) {
  auto it = classic_.find(group);
  return it == classic_.end() ? nullptr : &it->second;
}

group_shard::live_group<consumer_group>* group_shard::find_consumer(const std::string& group) {
  auto it = consumer_.find(group);
  return it == consumer_.end() ? nullptr : &it->second;
}

const classic_group* group_shard::classic(const std::string& group) const {
  auto it = classic_.find(group);
  return it == classic_.end() ? nullptr : it->second.group.get();
}

const consumer_group* group_shard::consumer(const std::string& group) const {
  auto it = consumer_.find(group);
  return it == consumer_.end() ? nullptr : it->second.group.get();
}

bool group_shard::exists(const std::string& group) const {
  return classic_.count(group) || consumer_.count(group) || offsets_.count(group) || open_txns_.count(group);
}

const group_offsets* group_shard::offsets(const std::string& group) const {
  auto it = offsets_.find(group);
  return it == offsets_.end() ? nullptr : &it->second;
}

group_shard::live_group<classic_group>* group_shard::classic_or_create(const std::string& group) {
  if (auto* g = find_classic(group)) return g;
  if (auto* c = find_consumer(group)) {
    if (!c->group->empty()) return nullptr;
    consumer_.erase(group);  // an empty group may change protocol
  }
  live_group<classic_group> created{++incarnations_, std::make_unique<classic_group>(group, options_)};
  return &classic_.emplace(group, std::move(created)).first->second;
}

group_shard::live_group<consumer_group>* group_shard::consumer_or_create(const std::string& group) {
  if (auto* g = find_consumer(group)) return g;
  if (auto* c = find_classic(group)) {
    if (!c->group->empty()) return nullptr;
    classic_.erase(group);
  }
  live_group<consumer_group> created{++incarnations_, std::make_unique<consumer_group>(group, options_)};
  return &consumer_.emplace(group, std::move(created)).first->second;
}

void group_shard::apply_offset(const std::string& group, const topic_partition& tp,
                               const std::optional<offset_value>& value) {
  if (value) {
    offsets_[group][tp] = stored_offset{*value, ++log_order_};
    return;
  }
  // A tombstone ends the partition's offset, pending ones included (Kafka's
  // replay does the same: a later COMMIT marker brings nothing back).
  if (auto open = open_txns_.find(group); open != open_txns_.end()) {
    for (auto producer : std::set<std::int64_t>(open->second)) {
      auto txn = pending_.find(producer);
      if (txn == pending_.end()) continue;
      auto g = txn->second.find(group);
      if (g == txn->second.end()) continue;
      g->second.erase(tp);
      if (!g->second.empty()) continue;
      txn->second.erase(g);
      if (txn->second.empty()) pending_.erase(txn);
      open->second.erase(producer);
    }
    if (open->second.empty()) open_txns_.erase(open);
  }
  auto it = offsets_.find(group);
  if (it == offsets_.end()) return;
  it->second.erase(tp);
  if (it->second.empty()) offsets_.erase(it);
}

void group_shard::apply(std::string_view key, std::optional<std::string_view> value, const topic_catalog& topics,
                        time_point now) {
  auto k = decode_key(key);
  if (auto* ok = std::get_if<offset_key>(&k)) {
    apply_offset(ok->group, {ok->topic, ok->partition},
                 value ? std::optional<offset_value>(decode_offset_value(*value)) : std::nullopt);
  } else if (auto* gk = std::get_if<group_key>(&k)) {
    if (!value) {
      classic_.erase(gk->group);
      return;
    }
    // The latest protocol wins: a group replaces an empty one of the other
    // kind, as classic_or_create does when serving.
    if (auto* g = classic_or_create(gk->group)) restore_classic_group(*g->group, decode_group_value(*value), now);
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
  if (auto* g = consumer_or_create(group)) replay_consumer_record(*g->group, k, value, topics, now);
}

std::vector<group_shard::listing> group_shard::list() const {
  std::vector<listing> out;
  for (const auto& [id, g] : classic_)
    out.push_back({id, g.group->protocol_type(), state_name(g.group->state()), "classic"});
  for (const auto& [id, g] : consumer_) out.push_back({id, "consumer", g.group->state_name(), "consumer"});
  // Groups known only by their offsets (standalone commits) are empty classic groups.
  for (const auto& [id, o] : offsets_)
    if (!classic_.count(id) && !consumer_.count(id)) out.push_back({id, "", "Empty", "classic"});
  for (const auto& [id, producers] : open_txns_)
    if (!classic_.count(id) && !consumer_.count(id) && !offsets_.count(id)) out.push_back({id, "", "Empty", "classic"});
  return out;
}

void group_shard::tick(const topic_catalog& topics, time_point now) {
  tick_classic(now);
  tick_consumer(topics, now);
}

void group_shard::close() {
  *open_ = false;
  writer_.close();
  waiters_.fail_all(error_code::not_coordinator);
  auto waiting = std::move(txn_commits_);
  txn_commits_.clear();
  guards_.clear();
  for (auto& [group, ops] : waiting)
    for (auto& op : ops) op->done({error_code::not_coordinator, true});
}

}  // namespace sluice::group_coordinator
