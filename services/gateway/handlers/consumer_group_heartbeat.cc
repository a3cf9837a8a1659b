// ConsumerGroupHeartbeat (KIP-848): forwarded to the group's coordinator.
#include "common/protocol/messages/consumer_group_heartbeat.h"
#include "services/gateway/group_routing.h"
#include "services/gateway/handlers/handler.h"

namespace sluice::gateway {

void handle_consumer_group_heartbeat(request_context ctx) {
  forward_group_request<protocol::consumer_group_heartbeat_request, protocol::consumer_group_heartbeat_response>(std::move(ctx));
}

}  // namespace sluice::gateway
