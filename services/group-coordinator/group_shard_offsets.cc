// group_shard's offsets: OffsetCommit, OffsetDelete, retention expiry, and
// DeleteGroups, each as a coordinator_result. Once durable, an offset
// result applies exactly what its records say, through apply_offset(), the
// code replay runs too, so memory is what a new owner would load. Offset
// writes hold no group: commits of one group do not wait for each other or
// for the group's writes; the log keeps them in order.
#include <algorithm>
#include <set>

#include "services/group-coordinator/consumer/consumer_group_store.h"
#include "services/group-coordinator/group_shard.h"

namespace sluice::group_coordinator {

namespace {

error_code as_is(error_code e) { return e; }

}  // namespace

void group_shard::commit(const std::string& group, std::vector<std::pair<topic_partition, offset_value>> offsets,
                         std::function<void(error_code)> done) {
  coordinator_result<error_code> r;
  for (const auto& [tp, v] : offsets)
    r.records.push_back({encode_key(offset_key{group, tp.first, tp.second}), encode_value(v)});
  r.apply = [this, group, offsets = std::move(offsets)] {
    for (const auto& [tp, v] : offsets) apply_offset(group, tp, v);
  };
  r.failed = as_is;  // OffsetCommit's own mapping: the log's (record_log.h)
  writer_.write(std::move(r), std::move(done));
}

void group_shard::delete_offsets(const std::string& group, std::vector<topic_partition> partitions,
                                 std::function<void(error_code)> done) {
  coordinator_result<error_code> r;
  for (const auto& tp : partitions)
    r.records.push_back({encode_key(offset_key{group, tp.first, tp.second}), std::nullopt});
  r.apply = [this, group, partitions = std::move(partitions)] {
    for (const auto& tp : partitions) apply_offset(group, tp, std::nullopt);
  };
  r.failed = as_is;
  writer_.write(std::move(r), std::move(done));
}

void group_shard::delete_group(const std::string& group, std::function<void(error_code)> done) {
  // A write under way may be a member joining (a new group's first member
  // among them: the group exists once that write is durable).
  if (writer_.writing(group)) return done(error_code::non_empty_group);
  if (!exists(group)) return done(error_code::group_id_not_found);
  const auto* c = classic(group);
  const auto* k = consumer(group);
  if ((c && !c->empty()) || (k && !k->empty())) return done(error_code::non_empty_group);
  writer_.run<error_code>(
      group,
      [this, group] {
        coordinator_result<error_code> r;
        std::vector<topic_partition> offsets;
        if (auto it = offsets_.find(group); it != offsets_.end())
          for (const auto& [tp, v] : it->second) {
            offsets.push_back(tp);
            r.records.push_back({encode_key(offset_key{group, tp.first, tp.second}), std::nullopt});
          }
        // Offsets open transactions hold: one tombstone each where none was
        // written above (Kafka's deleteAllOffsets). A later COMMIT marker
        // then brings nothing back.
        for (auto& tp : pending_only(group)) {
          r.records.push_back({encode_key(offset_key{group, tp.first, tp.second}), std::nullopt});
          offsets.push_back(std::move(tp));
        }
        auto* kip848 = find_consumer(group);
        if (kip848) {
          auto tombstones = consumer_group_tombstones(*kip848->group);
          r.records.insert(r.records.end(), std::make_move_iterator(tombstones.begin()),
                           std::make_move_iterator(tombstones.end()));
        }
        r.records.push_back({encode_key(group_key{group}), std::nullopt});
        // What replaying these tombstones does; the groups are the ones
        // seen now (the key is held until then).
        const auto* classic = find_classic(group);
        r.apply = [this, group, offsets = std::move(offsets), classic_incarnation = classic ? classic->incarnation : 0,
                   consumer_incarnation = kip848 ? kip848->incarnation : 0] {
          for (const auto& tp : offsets) apply_offset(group, tp, std::nullopt);
          if (auto* g = find_classic(group); g && g->incarnation == classic_incarnation) classic_.erase(group);
          if (auto* g = find_consumer(group); g && g->incarnation == consumer_incarnation) consumer_.erase(group);
        };
        r.failed = as_is;
        return r;
      },
      std::move(done), as_is);
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
    // An offset an open transaction is about to replace stays (Kafka waits for the marker).
    for (const auto& [tp, v] : stored)
      if (!in_use.count(tp.first) && std::max(v.commit_timestamp, since) + retention <= wall_now_ms &&
          !has_pending(group, tp))
        old.push_back(tp);
    if (old.empty()) continue;
    expiring += old.size();
    delete_offsets(group, std::move(old), [](error_code) {});  // a failed write is retried at the next check
  }
  return expiring;
}

}  // namespace sluice::group_coordinator
