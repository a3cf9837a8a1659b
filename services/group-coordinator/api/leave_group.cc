// LeaveGroup: one member (v0-2) or a batch of them (v3+) leave a classic group.
#include "common/protocol/messages/leave_group.h"
#include "services/group-coordinator/api/api_context.h"

namespace sluice::group_coordinator {

void serve_leave_group(const api_context& ctx) {
  auto req = ctx.decode<protocol::leave_group_request>();
  protocol::leave_group_response r;
  auto found = ctx.shards->find(req.group_id);
  if (!found.shard) {
    r.error_code = code(found.error);
    return ctx.respond(r);
  }
  auto* group = found.shard->classic(req.group_id);
  auto leave = [&](const std::string& member, const std::optional<std::string>& instance) {
    return group ? group->leave(member, instance, ctx.now) : error_code::unknown_member_id;
  };
  if (ctx.version < 3) {
    r.error_code = code(leave(req.member_id, std::nullopt));
    return ctx.respond(r);
  }
  for (const auto& m : req.members) {
    auto& out = r.members.emplace_back();
    out.member_id = m.member_id;
    out.group_instance_id = m.group_instance_id;
    out.error_code = code(leave(m.member_id, m.group_instance_id));
  }
  ctx.respond(r);
}

}  // namespace sluice::group_coordinator
