// ListPartitionReassignments: the reassignments the coordinator is still
// running, with the replicas being added and removed.
#include "common/cluster/coordinator_client.h"
#include "services/gateway/handlers/handler.h"
#include "services/gateway/handlers/reassignment_mapping.h"

namespace sluice::gateway {

void handle_list_partition_reassignments(request_context ctx) {
  auto request = std::make_shared<protocol::list_partition_reassignments_request>(
      ctx.decode<protocol::list_partition_reassignments_request>());
  using reply_type = coordinator::v1::ListPartitionReassignmentsResponse;
  auto admin = listing_request(*request);
  if (!admin) return ctx.respond(listing_answer(*request, result<reply_type>(reply_type{})));
  ctx.services->coordinator.list_partition_reassignments(
      *admin, [ctx, request](result<reply_type> r) { ctx.respond(listing_answer(*request, r)); });
}

}  // namespace sluice::gateway
