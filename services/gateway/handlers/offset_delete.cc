// OffsetDelete: forwarded to the group's coordinator.
#include "common/protocol/messages/offset_delete.h"
#include "services/gateway/group_routing.h"
#include "services/gateway/handlers/handler.h"

namespace sluice::gateway {

void handle_offset_delete(request_context ctx) {
  forward_group_request<protocol::offset_delete_request, protocol::offset_delete_response>(std::move(ctx));
}

}  // namespace sluice::gateway
