// JoinGroup: forwarded to the group's coordinator; the answer comes when the
// rebalance completes, so the call may last the whole rebalance timeout.
#include "common/protocol/messages/join_group.h"
#include "services/gateway/error_mapping.h"
#include "services/gateway/group_routing.h"
#include "services/gateway/handlers/handler.h"

namespace sluice::gateway {

void handle_join_group(request_context ctx) {
  auto request = ctx.decode<protocol::join_group_request>();
  const std::int32_t wait_ms = ctx.version() >= 1 ? request.rebalance_timeout_ms : request.session_timeout_ms;
  const auto timeout = std::chrono::milliseconds(std::max(wait_ms, 0)) + group_call_timeout;
  forward_to_owner(std::move(ctx), request.group_id, timeout, [member = request.member_id](const request_context& c, auto e) {
    protocol::join_group_response r;
    r.error_code = code(e);
    r.member_id = member;
    c.respond(r);
  });
}

}  // namespace sluice::gateway
