// DescribeGroups: split by group coordinator, answers merged.
#include "common/protocol/messages/describe_groups.h"
#include "services/gateway/group_fan_out.h"
#include "services/gateway/handlers/handler.h"

namespace sluice::gateway {

void handle_describe_groups(request_context ctx) {
  fan_out_by_group(std::move(ctx), &protocol::describe_groups_request::groups,
                   &protocol::describe_groups_response::groups);
}

}  // namespace sluice::gateway
