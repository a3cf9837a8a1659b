// SyncGroup: forwarded to the group's coordinator; a follower's answer waits
// for the leader's assignment.
#include "common/protocol/messages/sync_group.h"
#include "services/gateway/error_mapping.h"
#include "services/gateway/group_routing.h"
#include "services/gateway/handlers/handler.h"

namespace sluice::gateway {

namespace {
// A follower waits at most until the leader's session would expire.
constexpr std::chrono::milliseconds sync_wait{1800000};
}  // namespace

void handle_sync_group(request_context ctx) {
  auto request = ctx.decode<protocol::sync_group_request>();
  forward_to_owner(std::move(ctx), request.group_id, sync_wait + group_call_timeout, [](const request_context& c, auto e) {
    protocol::sync_group_response r;
    r.error_code = code(e);
    c.respond(r);
  });
}

}  // namespace sluice::gateway
