// LeaveGroup: one member (v0-2) or a batch of them (v3+) leave a classic
// group, answered once what their leaving changed is stored. A failed write
// is the request's error, with no member answers (Kafka's, any version).
#include "common/protocol/messages/leave_group.h"
#include "services/group-coordinator/api/api_context.h"

namespace sluice::group_coordinator {

void serve_leave_group(const api_context& ctx) {
  auto req = ctx.decode<protocol::leave_group_request>();
  auto found = ctx.shards->find(req.group_id);
  if (!found.shard) {
    protocol::leave_group_response r;
    r.error_code = code(found.error);
    return ctx.respond(r);
  }
  std::vector<member_identity> leaving;
  if (ctx.version < 3) {
    leaving.push_back({req.member_id, std::nullopt});
  } else {
    for (const auto& m : req.members) leaving.push_back({m.member_id, m.group_instance_id});
  }
  found.shard->leave_group(req.group_id, leaving, *ctx.topics, ctx.now, [ctx, leaving](group_shard::leave_result left) {
    protocol::leave_group_response r;
    if (left.error != error_code::none || ctx.version < 3) {
      r.error_code = code(left.error != error_code::none ? left.error : left.members.at(0));
      return ctx.respond(r);
    }
    for (std::size_t i = 0; i < leaving.size(); ++i) {
      auto& out = r.members.emplace_back();
      out.member_id = leaving[i].member_id;
      out.group_instance_id = leaving[i].instance_id;
      out.error_code = code(left.members.at(i));
    }
    ctx.respond(r);
  });
}

}  // namespace sluice::group_coordinator
