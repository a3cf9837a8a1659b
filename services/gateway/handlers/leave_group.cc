// LeaveGroup: forwarded to the group's coordinator.
#include "common/protocol/messages/leave_group.h"
#include "services/gateway/error_mapping.h"
#include "services/gateway/group_routing.h"
#include "services/gateway/handlers/handler.h"

namespace sluice::gateway {

void handle_leave_group(request_context ctx) {
  auto request = ctx.decode<protocol::leave_group_request>();
  forward_to_owner(std::move(ctx), request.group_id, group_call_timeout, [](const request_context& c, auto e) {
    protocol::leave_group_response r;
    r.error_code = code(e);
    c.respond(r);
  });
}

}  // namespace sluice::gateway
