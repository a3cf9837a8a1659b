// DeleteGroups: split by group coordinator, answers merged.
#include "common/protocol/messages/delete_groups.h"
#include "services/gateway/group_fan_out.h"
#include "services/gateway/handlers/handler.h"

namespace sluice::gateway {

void handle_delete_groups(request_context ctx) {
  fan_out_by_group(std::move(ctx), &protocol::delete_groups_request::groups_names,
                   &protocol::delete_groups_response::results);
}

}  // namespace sluice::gateway
