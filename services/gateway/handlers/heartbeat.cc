// Heartbeat: forwarded to the group's coordinator.
#include "common/protocol/messages/heartbeat.h"
#include "services/gateway/group_routing.h"
#include "services/gateway/handlers/handler.h"

namespace sluice::gateway {

void handle_heartbeat(request_context ctx) {
  forward_group_request<protocol::heartbeat_request, protocol::heartbeat_response>(std::move(ctx));
}

}  // namespace sluice::gateway
