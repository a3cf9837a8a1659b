// group_shard's KIP-848 online migration (group_conversion.h): how a
// KIP-848 group's change is written, downgrading the group when its last
// ConsumerGroupHeartbeat member leaves a group of classic members, and the
// upgrade of a classic group a ConsumerGroupHeartbeat joins. Records as
// Kafka writes them: the old group's tombstones, then the new group's
// records, in one append; the groups swap once it is durable.
#include "services/group-coordinator/classic/classic_group_store.h"
#include "services/group-coordinator/consumer/consumer_group_store.h"
#include "services/group-coordinator/group_conversion.h"
#include "services/group-coordinator/group_shard.h"

namespace sluice::group_coordinator {

namespace {

record_log::record classic_tombstone(const std::string& group) { return {encode_key(group_key{group}), std::nullopt}; }

}  // namespace

coordinator_result<std::monostate> group_shard::consumer_write(const std::string& group, std::uint64_t incarnation,
                                                               const consumer_group& durable,
                                                               std::shared_ptr<consumer_group> next,
                                                               const topic_catalog& topics, time_point now) {
  coordinator_result<std::monostate> r;
  if (incarnation != new_group && downgrade_due(durable, *next, options_)) {
    auto classic = std::make_shared<classic_group>(classic_group_from_consumer(*next, options_, now));
    classic->take_effects();  // nobody waits in a group made from another
    r.records = consumer_group_tombstones(durable);
    r.records.push_back(classic_group_record(*classic, wall_clock_ms()));
    r.apply = [this, group, incarnation, classic] {
      replace(consumer_, classic_, group, incarnation, std::move(*classic));
    };
    return r;
  }
  r.records = consumer_group_changes(durable, *next, topics);
  // A new group taking the id of an empty classic group deletes it (Kafka's
  // maybeDeleteEmptyClassicGroup); no records, no group (an error answer).
  if (incarnation == new_group && find_classic(group) && !r.records.empty())
    r.records.insert(r.records.begin(), classic_tombstone(group));
  r.apply = [this, group, incarnation, next] { install(consumer_, classic_, group, incarnation, std::move(*next)); };
  return r;
}

coordinator_result<consumer_heartbeat_result> group_shard::upgrade(const std::string& group,
                                                                   const live_group<classic_group>& classic,
                                                                   const consumer_heartbeat& req,
                                                                   const topic_catalog& topics, time_point now) {
  auto refused = [&](std::string message) {
    consumer_heartbeat_result r;
    r.error = error_code::group_id_not_found;
    r.error_message = std::move(message);
    return answered_now(std::move(r));
  };
  if (!upgrade_allowed(*classic.group, options_)) return refused("Group " + group + " is not a consumer group.");
  auto converted = consumer_group_from_classic(*classic.group, options_, topics, now);
  if (!converted)
    return refused("Cannot upgrade the classic group " + group +
                   " to consumer group because the embedded consumer protocol is malformed.");
  auto next = std::make_shared<consumer_group>(std::move(*converted));
  coordinator_result<consumer_heartbeat_result> r;
  r.response = next->heartbeat(req, topics, now);
  if (r.response.error != error_code::none) return answered_now(std::move(r.response));  // the group stays classic

  // Requests waiting in the classic group rejoin the consumer group.
  classic_group left = *classic.group;
  left.answer_waiting(error_code::rebalance_in_progress);
  classic_effects owed = left.take_effects();
  r.records.push_back(classic_tombstone(group));
  auto written = consumer_group_changes(consumer_group(group, options_), *next, topics);
  r.records.insert(r.records.end(), written.begin(), written.end());
  r.apply = [this, group, incarnation = classic.incarnation, next, owed = std::move(owed)]() mutable {
    replace(classic_, consumer_, group, incarnation, std::move(*next));
    waiters_.deliver(std::move(owed));
  };
  return r;
}

}  // namespace sluice::group_coordinator
