// OffsetDelete: forwarded to the group's coordinator.
#include "common/protocol/messages/offset_delete.h"
#include "services/gateway/error_mapping.h"
#include "services/gateway/group_routing.h"
#include "services/gateway/handlers/handler.h"

namespace sluice::gateway {

void handle_offset_delete(request_context ctx) {
  auto request = ctx.decode<protocol::offset_delete_request>();
  forward_to_owner(std::move(ctx), request.group_id, group_call_timeout, [](const request_context& c, auto e) {
    protocol::offset_delete_response r;
    r.error_code = code(e);
    c.respond(r);
  });
}

}  // namespace sluice::gateway
