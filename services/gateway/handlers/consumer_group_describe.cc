// ConsumerGroupDescribe (KIP-848): split by group coordinator, answers merged.
#include "common/protocol/messages/consumer_group_describe.h"
#include "services/gateway/group_fan_out.h"
#include "services/gateway/handlers/handler.h"

namespace sluice::gateway {

void handle_consumer_group_describe(request_context ctx) {
  fan_out_by_group(std::move(ctx), &protocol::consumer_group_describe_request::group_ids,
                   &protocol::consumer_group_describe_response::groups);
}

}  // namespace sluice::gateway
