// Heartbeat: keeps a classic member's session alive and tells it when a
// rebalance has started.
#include "common/protocol/messages/heartbeat.h"
#include "services/group-coordinator/api/api_context.h"

namespace sluice::group_coordinator {

void serve_heartbeat(const api_context& ctx) {
  auto req = ctx.decode<protocol::heartbeat_request>();
  protocol::heartbeat_response r;
  auto found = ctx.shards->find(req.group_id);
  if (!found.shard) {
    r.error_code = code(found.error);
  } else if (auto* group = found.shard->classic(req.group_id)) {
    r.error_code = code(group->heartbeat(req.member_id, req.group_instance_id, req.generation_id, ctx.now));
  } else {
    r.error_code = code(error_code::unknown_member_id);
  }
  ctx.respond(r);
}

}  // namespace sluice::group_coordinator
