// AlterPartitionReassignments: the coordinator records each new replica set
// and drives the move (followers catch up, then the old replicas leave); the
// answer says only whether each move was accepted, as in Kafka.
#include "common/cluster/coordinator_client.h"
#include "services/gateway/handlers/handler.h"
#include "services/gateway/handlers/reassignment_mapping.h"

namespace sluice::gateway {

void handle_alter_partition_reassignments(request_context ctx) {
  auto request = std::make_shared<protocol::alter_partition_reassignments_request>(
      ctx.decode<protocol::alter_partition_reassignments_request>());
  auto admin = reassignment_request(*request);
  using reply_type = coordinator::v1::AlterPartitionReassignmentsResponse;
  if (admin.reassignments().empty()) {
    // Every partition refused (or none named): nothing to ask.
    return ctx.respond(reassignment_answer(*request, result<reply_type>(reply_type{})));
  }
  ctx.services->coordinator.alter_partition_reassignments(
      admin, [ctx, request](result<reply_type> r) { ctx.respond(reassignment_answer(*request, r)); });
}

}  // namespace sluice::gateway
