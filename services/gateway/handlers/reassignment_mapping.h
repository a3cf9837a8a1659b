#pragma once
// AlterPartitionReassignments and ListPartitionReassignments between Kafka's
// wire form and the coordinator's RPCs. Pure functions (unit-tested):
// - null replicas cancel a partition's reassignment (the coordinator's
//   "empty target"); an empty, non-null list is refused here with
//   INVALID_REPLICA_ASSIGNMENT, as Kafka does, so it is never read as a cancel;
// - replica ids are partition-server node ids (what `sluice topics describe`
//   lists): the gateways Kafka clients see as brokers hold no replicas;
// - a null topic list in ListPartitionReassignments means every partition,
//   an empty one none (answered here, never sent as the coordinator's "all").
#include <optional>
#include <string>

#include "common/base/result.h"
#include "common/protocol/error_code.h"
#include "common/protocol/messages/alter_partition_reassignments.h"
#include "common/protocol/messages/list_partition_reassignments.h"
#include "coordinator.pb.h"

namespace sluice::gateway {

struct refusal {
  protocol::error_code error;
  std::string message;
};

/// Why one partition's target is refused before the coordinator sees it.
std::optional<refusal> reassignment_refusal(
    const protocol::alter_partition_reassignments_request::reassignable_partition& partition);

/// The partitions not refused, for the coordinator (may be empty).
coordinator::v1::AlterPartitionReassignmentsRequest reassignment_request(
    const protocol::alter_partition_reassignments_request& request);

/// Per partition, in the request's order: its refusal, else the
/// coordinator's result; a failed call gives REQUEST_TIMED_OUT everywhere.
protocol::alter_partition_reassignments_response reassignment_answer(
    const protocol::alter_partition_reassignments_request& request,
    const result<coordinator::v1::AlterPartitionReassignmentsResponse>& reply);

/// nullopt when the request names no partition at all (answer: nothing).
std::optional<coordinator::v1::ListPartitionReassignmentsRequest> listing_request(
    const protocol::list_partition_reassignments_request& request);

/// The ongoing reassignments grouped by topic (only the named partitions
/// when the request names some).
protocol::list_partition_reassignments_response listing_answer(
    const protocol::list_partition_reassignments_request& request,
    const result<coordinator::v1::ListPartitionReassignmentsResponse>& reply);

}  // namespace sluice::gateway
