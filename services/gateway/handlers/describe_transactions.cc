// DescribeTransactions: the ids are split by the group coordinator owning
// their shard, each asked about its own, and the states concatenated
// (group_fan_out.h); an id without a live owner answers
// COORDINATOR_NOT_AVAILABLE.
#include "common/protocol/messages/describe_transactions.h"
#include "services/gateway/group_fan_out.h"
#include "services/gateway/handlers/handler.h"
#include "services/gateway/txn_routing.h"

namespace sluice::gateway {

void handle_describe_transactions(request_context ctx) {
  fan_out_by_key<transactional_id_key>(std::move(ctx), &protocol::describe_transactions_request::transactional_ids,
                                       &protocol::describe_transactions_response::transaction_states,
                                       route_transactional_ids);
}

}  // namespace sluice::gateway
