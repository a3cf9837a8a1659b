// SyncGroup: forwarded to the group's coordinator; a follower's answer waits
// for the leader's assignment.
#include "common/protocol/messages/sync_group.h"
#include "services/gateway/group_routing.h"
#include "services/gateway/handlers/handler.h"

namespace sluice::gateway {

namespace {
// A follower waits at most until the leader's session would expire.
constexpr std::chrono::milliseconds sync_wait{1800000};
}  // namespace

void handle_sync_group(request_context ctx) {
  forward_group_request<protocol::sync_group_request, protocol::sync_group_response>(std::move(ctx),
                                                                                 sync_wait + group_call_timeout);
}

}  // namespace sluice::gateway
