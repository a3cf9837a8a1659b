// SyncGroup: the leader hands in the assignment; every member gets its part
// once it is stored.
#include "common/protocol/messages/sync_group.h"
#include "common/protocol/versioned_data.h"
#include "services/group-coordinator/api/api_context.h"

namespace sluice::group_coordinator {

namespace {

void answer(const api_context& ctx, const sync_result& result) {
  protocol::sync_group_response r;
  r.error_code = code(result.error);
  if (result.error == error_code::none) {
    r.protocol_type = result.protocol_type;
    r.protocol_name = result.protocol_name;
  }
  r.assignment = protocol::bytes_of(result.assignment);
  ctx.respond(r);
}

}  // namespace

void serve_sync_group(const api_context& ctx) {
  auto req = ctx.decode<protocol::sync_group_request>();
  auto found = ctx.shards->find(req.group_id);
  if (!found.shard) return answer(ctx, sync_error(found.error));

  sync_request s;
  s.member_id = req.member_id;
  s.instance_id = req.group_instance_id;
  s.generation = req.generation_id;
  s.protocol_type = req.protocol_type;
  s.protocol_name = req.protocol_name;
  for (auto& a : req.assignments) s.assignments[a.member_id] = protocol::string_of(a.assignment);
  found.shard->sync_group(req.group_id, std::move(s), *ctx.topics, ctx.now, [ctx](sync_result result) { answer(ctx, result); });
}

}  // namespace sluice::group_coordinator
