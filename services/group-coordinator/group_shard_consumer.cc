// group_shard's KIP-848 groups: ConsumerGroupHeartbeat and the groups'
// deadlines, each as a coordinator_result. The change runs on a copy of
// the group; consumer_write() (group_shard_migration.cc) turns the
// difference into Kafka's records, and the copy replaces the group once
// they are durable. A plain heartbeat changes nothing durable (only its
// session): no records, so it is applied and answered at once.
#include <variant>

#include "services/group-coordinator/consumer/consumer_group_store.h"
#include "services/group-coordinator/group_shard.h"

namespace sluice::group_coordinator {

namespace {

consumer_heartbeat_result refused(error_code e, std::string message = {}) {
  consumer_heartbeat_result r;
  r.error = e;
  r.error_message = std::move(message);
  return r;
}

}  // namespace

template <class Response>
coordinator_result<Response> group_shard::consumer_result(const std::string& group, std::uint64_t incarnation,
                                                          const consumer_group& current, const topic_catalog& topics,
                                                          time_point now,
                                                          const std::function<Response(consumer_group&)>& change) {
  auto next = std::make_shared<consumer_group>(current);
  coordinator_result<Response> r;
  r.response = change(*next);
  auto written = consumer_write(group, incarnation, current, next, topics, now);
  r.records = std::move(written.records);
  r.apply = std::move(written.apply);
  return r;
}

void group_shard::consumer_group_heartbeat(const std::string& group, consumer_heartbeat req,
                                           const topic_catalog& topics, time_point now,
                                           std::function<void(consumer_heartbeat_result)> done) {
  writer_.run<consumer_heartbeat_result>(
      group,
      [this, group, req = std::move(req), &topics, now]() -> coordinator_result<consumer_heartbeat_result> {
        const auto change = [&](consumer_group& g) { return g.heartbeat(req, topics, now); };
        coordinator_result<consumer_heartbeat_result> r;
        if (auto* live = find_consumer(group)) {
          r = consumer_result<consumer_heartbeat_result>(group, live->incarnation, *live->group, topics, now, change);
        } else if (id_free_for_new_group(classic_, group)) {
          // A new group exists once its first records are durable.
          r = consumer_result<consumer_heartbeat_result>(group, new_group, consumer_group(group, options_), topics,
                                                         now, change);
        } else {
          r = upgrade(group, *find_classic(group), req, topics, now);
        }
        // Kafka's answer to a heartbeat whose records could not be written
        // (GroupCoordinatorService): the member retries.
        r.failed = [](error_code e) { return refused(group_write_error(e)); };
        return r;
      },
      std::move(done), [](error_code e) { return refused(e); });
}

void group_shard::tick_consumer(const topic_catalog& topics, time_point now) {
  std::vector<std::string> due;
  for (const auto& [id, g] : consumer_)
    if (!writer_.writing(id) && g.group->tick_due(topics, now)) due.push_back(id);
  for (const auto& id : due) {
    // A failed write leaves the deadline passed: the next tick tries again.
    writer_.run<std::monostate>(
        id,
        [this, id, &topics, now] {
          auto* live = find_consumer(id);
          if (!live) return answered_now(std::monostate{});
          return consumer_result<std::monostate>(id, live->incarnation, *live->group, topics, now, [&](consumer_group& g) {
            g.tick(topics, now);
            return std::monostate{};
          });
        },
        [](std::monostate) {}, [](error_code) { return std::monostate{}; });
  }
}

}  // namespace sluice::group_coordinator
