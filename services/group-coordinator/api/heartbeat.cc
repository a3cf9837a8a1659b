// Heartbeat: keeps a classic member's session alive and tells it when a
// rebalance has started.
#include "common/protocol/messages/heartbeat.h"
#include "services/group-coordinator/api/api_context.h"

namespace sluice::group_coordinator {

void serve_heartbeat(const api_context& ctx) {
  auto req = ctx.decode<protocol::heartbeat_request>();
  auto answer = [ctx](error_code e) {
    protocol::heartbeat_response r;
    r.error_code = code(e);
    ctx.respond(r);
  };
  auto found = ctx.shards->find(req.group_id);
  if (!found.shard) return answer(found.error);
  found.shard->heartbeat(req.group_id, {req.member_id, req.group_instance_id}, req.generation_id, *ctx.topics, ctx.now, answer);
}

}  // namespace sluice::group_coordinator
