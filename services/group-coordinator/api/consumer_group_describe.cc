// ConsumerGroupDescribe (KIP-848): epochs, assignor, and each member's
// current and target assignment.
#include "common/protocol/messages/consumer_group_describe.h"
#include "services/group-coordinator/api/api_context.h"

namespace sluice::group_coordinator {

namespace {

using response = protocol::consumer_group_describe_response;

response::assignment to_wire(const member_assignment& a, const topic_catalog& topics) {
  response::assignment out;
  for (const auto& [name, partitions] : a) {
    const auto* t = topics.find(name);
    if (!t) continue;
    auto& tp = out.topic_partitions.emplace_back();
    tp.topic_id = t->id;
    tp.topic_name = name;
    tp.partitions = partitions;
  }
  return out;
}

}  // namespace

void serve_consumer_group_describe(const api_context& ctx) {
  auto req = ctx.decode<protocol::consumer_group_describe_request>();
  response r;
  describe_each(ctx, req.group_ids, r.groups, [&](const group_shard& shard, const std::string& id, auto& out) {
    const auto* g = shard.consumer(id);
    if (!g) {
      out.error_code = code(error_code::group_id_not_found);
      out.error_message = "Group " + id + " is not a consumer group.";
      return;
    }
    out.group_state = g->state_name();
    out.group_epoch = g->group_epoch();
    out.assignment_epoch = g->assignment_epoch();
    out.assignor_name = g->assignor();
    for (const auto& [member_id, m] : g->members()) {
      auto& rm = out.members.emplace_back();
      rm.member_id = member_id;
      rm.instance_id = m.instance_id;
      rm.rack_id = m.rack_id;
      rm.member_epoch = m.member_epoch;
      rm.client_id = m.client_id;
      rm.client_host = m.client_host;
      rm.subscribed_topic_names = m.subscribed_topics;
      rm.subscribed_topic_regex = m.subscribed_regex;
      rm.assignment = to_wire(m.assigned, *ctx.topics);
      auto target = g->target().find(member_id);
      if (target != g->target().end()) rm.target_assignment = to_wire(target->second, *ctx.topics);
    }
  });
  ctx.respond(r);
}

}  // namespace sluice::group_coordinator
