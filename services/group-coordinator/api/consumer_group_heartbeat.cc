// ConsumerGroupHeartbeat (KIP-848): joins, heartbeats and leaves in one API;
// the answer carries the member's epoch and, when it changed, its assignment,
// once what the heartbeat changed is written (group_shard).
#include "common/protocol/messages/consumer_group_heartbeat.h"
#include "services/group-coordinator/api/api_context.h"

namespace sluice::group_coordinator {

namespace {

void answer(const api_context& ctx, const consumer_heartbeat_result& result) {
  protocol::consumer_group_heartbeat_response r;
  r.error_code = code(result.error);
  if (!result.error_message.empty()) r.error_message = result.error_message;
  if (result.error == error_code::none) {
    r.member_id = result.member_id;
    r.member_epoch = result.member_epoch;
    r.heartbeat_interval_ms = result.heartbeat_interval_ms;
    if (result.assignment) {
      protocol::consumer_group_heartbeat_response::member_assignment a;
      for (const auto& [topic, partitions] : *result.assignment) {
        const auto* t = ctx.topics->find(topic);
        if (!t) continue;  // deleted meanwhile
        auto& tp = a.topic_partitions.emplace_back();
        tp.topic_id = t->id;
        tp.partitions = partitions;
      }
      r.assignment = std::move(a);
    }
  }
  ctx.respond(r);
}

}  // namespace

void serve_consumer_group_heartbeat(const api_context& ctx) {
  auto req = ctx.decode<protocol::consumer_group_heartbeat_request>();
  protocol::consumer_group_heartbeat_response r;
  auto fail = [&](error_code e, std::string message) {
    r.error_code = code(e);
    r.error_message = std::move(message);
    ctx.respond(r);
  };
  if (req.group_id.empty()) return fail(error_code::invalid_request, "GroupId can't be empty.");
  auto found = ctx.shards->find(req.group_id);
  if (!found.shard) return fail(found.error, "");
  consumer_heartbeat hb;
  hb.member_id = req.member_id;
  hb.member_epoch = req.member_epoch;
  hb.instance_id = req.instance_id;
  hb.rack_id = req.rack_id;
  hb.rebalance_timeout_ms = req.rebalance_timeout_ms;
  hb.subscribed_topic_names = req.subscribed_topic_names;
  hb.subscribed_topic_regex = req.subscribed_topic_regex;
  hb.server_assignor = req.server_assignor;
  hb.client_id = ctx.client_id;
  hb.client_host = ctx.client_host;
  hb.client_generates_member_id = ctx.version >= 1;
  if (req.topic_partitions) {
    member_assignment owned;
    for (const auto& t : *req.topic_partitions)
      if (const auto* name = ctx.topics->name_of(t.topic_id)) owned[*name] = t.partitions;
    hb.owned = std::move(owned);
  }
  // Answered once what the heartbeat changed is durable.
  found.shard->consumer_group_heartbeat(req.group_id, std::move(hb), *ctx.topics, ctx.now,
                                        [ctx](consumer_heartbeat_result result) { answer(ctx, result); });
}

}  // namespace sluice::group_coordinator
