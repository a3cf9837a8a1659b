// group_shard's transactional offsets (Kafka's OffsetMetadataManager for
// TxnOffsetCommit and transaction markers). A TxnOffsetCommit's records go
// in a transactional batch of the producer; once durable they are pending
// for it, not visible to OffsetFetch. The producer's marker (COMMIT or
// ABORT, written when the transaction coordinator ends the transaction)
// then makes them committed or drops them. Writes apply through the same
// code replay runs (apply_pending, apply_marker), in log order: the shard's
// writes reach the log in the order made, markers included.
#include "services/group-coordinator/group_shard.h"

namespace sluice::group_coordinator {

error_code group_shard::validate_txn_commit(const std::string& group, const std::string& member_id,
                                            const std::optional<std::string>& instance_id,
                                            std::int32_t generation) const {
  if (auto* c = consumer(group)) {
    if (generation < 0 && c->empty()) return error_code::none;
    auto e = c->validate_commit(member_id, generation);
    // Kafka answers a stale member epoch of a transactional commit as ILLEGAL_GENERATION.
    return e == error_code::stale_member_epoch ? error_code::illegal_generation : e;
  }
  if (auto* g = classic(group)) return g->validate_txn_commit(member_id, instance_id, generation);
  if (generation < 0) return error_code::none;  // a simple group: created by the commit if need be
  // A group known only by offsets is an empty simple group without members.
  return exists(group) ? error_code::unknown_member_id : error_code::illegal_generation;
}

void group_shard::commit_transactional(const std::string& group, txn_producer producer,
                                       std::vector<std::pair<topic_partition, offset_value>> offsets,
                                       std::function<void(error_code)> done) {
  coordinator_result<error_code> r;
  for (const auto& [tp, v] : offsets)
    r.records.push_back({encode_key(offset_key{group, tp.first, tp.second}), encode_value(v)});
  r.apply = [this, group, producer, offsets = std::move(offsets)] {
    for (const auto& [tp, v] : offsets) apply_pending(producer, group, tp, v);
  };
  // Kafka's handleOperationException for txn-commit-offset: a batch too
  // large is UNKNOWN_SERVER_ERROR; the producer's errors pass as they are.
  r.failed = group_write_error;
  writer_.write_transactional(producer, std::move(r), std::move(done));
}

void group_shard::complete_transaction(txn_marker marker, std::function<void(error_code)> done) {
  // The transaction ends here: a TxnOffsetCommit verified before this
  // marker and written after it would be left pending with no marker to come.
  guards_.erase(marker.producer.id);
  coordinator_result<error_code> r;
  r.apply = [this, marker] { apply_marker(marker.producer.id, marker.commit); };
  r.failed = [](error_code e) { return e; };
  writer_.write_marker(marker, std::move(r), std::move(done));
}

void group_shard::apply_transactional(txn_producer producer, std::string_view key,
                                      std::optional<std::string_view> value, const topic_catalog& topics,
                                      time_point now) {
  auto k = decode_key(key);
  auto* ok = std::get_if<offset_key>(&k);
  // Only offsets are transactional; a tombstone ends the offset whoever wrote it.
  if (!ok || !value) return apply(key, value, topics, now);
  apply_pending(producer, ok->group, {ok->topic, ok->partition}, decode_offset_value(*value));
}

void group_shard::apply_pending(txn_producer producer, const std::string& group, const topic_partition& tp,
                                const offset_value& value) {
  pending_[producer.id][group][tp] = stored_offset{value, ++log_order_};
  pending_epochs_[producer.id] = producer.epoch;
  open_txns_[group].insert(producer.id);
}

bool group_shard::has_open_transaction(txn_producer producer) const {
  auto it = pending_epochs_.find(producer.id);
  return it != pending_epochs_.end() && it->second == producer.epoch;
}

void group_shard::apply_marker(std::int64_t producer_id, bool commit) {
  auto txn = pending_.find(producer_id);
  if (txn == pending_.end()) return;
  auto by_group = std::move(txn->second);
  pending_.erase(txn);
  pending_epochs_.erase(producer_id);
  for (const auto& [group, offsets] : by_group) {
    if (auto open = open_txns_.find(group); open != open_txns_.end()) {
      open->second.erase(producer_id);
      if (open->second.empty()) open_txns_.erase(open);
    }
    if (!commit) continue;
    auto& committed = offsets_[group];
    for (const auto& [tp, v] : offsets) {
      // A plain commit written after the transaction's offset stays: the
      // latest record wins, as it would once compaction kept only it.
      auto it = committed.find(tp);
      if (it == committed.end() || v.log_order > it->second.log_order) committed[tp] = v;
    }
  }
}

bool group_shard::has_pending(const std::string& group, const topic_partition& tp) const {
  auto open = open_txns_.find(group);
  if (open == open_txns_.end()) return false;
  for (auto producer : open->second)
    if (pending(producer, group, tp)) return true;
  return false;
}

const stored_offset* group_shard::pending(std::int64_t producer, const std::string& group,
                                          const topic_partition& tp) const {
  auto txn = pending_.find(producer);
  if (txn == pending_.end()) return nullptr;
  auto g = txn->second.find(group);
  if (g == txn->second.end()) return nullptr;
  auto it = g->second.find(tp);
  return it == g->second.end() ? nullptr : &it->second;
}

std::vector<topic_partition> group_shard::pending_only(const std::string& group) const {
  std::set<topic_partition> out;
  auto open = open_txns_.find(group);
  if (open == open_txns_.end()) return {};
  const group_offsets* committed = offsets(group);
  for (auto producer : open->second) {
    auto txn = pending_.find(producer);
    if (txn == pending_.end()) continue;
    auto g = txn->second.find(group);
    if (g == txn->second.end()) continue;
    for (const auto& [tp, v] : g->second)
      if (!committed || !committed->count(tp)) out.insert(tp);
  }
  return {out.begin(), out.end()};
}

}  // namespace sluice::group_coordinator
