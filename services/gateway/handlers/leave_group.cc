// LeaveGroup: forwarded to the group's coordinator.
#include "common/protocol/messages/leave_group.h"
#include "services/gateway/group_routing.h"
#include "services/gateway/handlers/handler.h"

namespace sluice::gateway {

void handle_leave_group(request_context ctx) {
  forward_group_request<protocol::leave_group_request, protocol::leave_group_response>(std::move(ctx));
}

}  // namespace sluice::gateway
