// SyncGroup: the leader hands in the assignment; every member gets its part
// once it is stored.
#include "common/protocol/messages/sync_group.h"
#include "services/group-coordinator/api/api_context.h"

namespace sluice::group_coordinator {

void serve_sync_group(const api_context& ctx) {
  auto req = ctx.decode<protocol::sync_group_request>();
  auto fail = [&](error_code e) {
    protocol::sync_group_response r;
    r.error_code = code(e);
    ctx.respond(r);
  };
  auto found = ctx.shards->find(req.group_id);
  if (!found.shard) return fail(found.error);
  auto* group = found.shard->classic(req.group_id);
  if (!group) return fail(error_code::unknown_member_id);

  sync_request s;
  s.member_id = req.member_id;
  s.instance_id = req.group_instance_id;
  s.generation = req.generation_id;
  s.protocol_type = req.protocol_type;
  s.protocol_name = req.protocol_name;
  for (auto& a : req.assignments) s.assignments[a.member_id] = to_string(a.assignment);
  group->sync(std::move(s), ctx.now, [ctx](sync_result result) {
    protocol::sync_group_response r;
    r.error_code = code(result.error);
    if (result.error == error_code::none) {
      r.protocol_type = result.protocol_type;
      r.protocol_name = result.protocol_name;
    }
    r.assignment = to_bytes(result.assignment);
    ctx.respond(r);
  });
}

}  // namespace sluice::group_coordinator
