#include "services/coordinator/rpc_dispatch.h"

#include "common/logging/logger.h"
#include "common/messaging/methods.h"

namespace sluice::coordinator {
namespace {
namespace method = messaging::method;
using messaging::message;
using messaging::rpc_status;

template <class Request, class F>
message with(const message& request, F&& f) {
  Request req;
  if (!request.parse_header(req)) {
    logging::get("coordinator")->warn("unparseable request header for method {}", request.method());
    return message::make_status(request.method(), rpc_status::bad_request);
  }
  return message::make(request.method(), f(req));
}
}  // namespace

message handle_request(coordinator_state& st, const message& request, coordinator_state::time_point now) {
  if (!request.well_formed()) return message::make_status(request.valid() ? request.method() : 0, rpc_status::bad_request);
  switch (request.method()) {
    case method::register_service:
      return with<cv1::RegisterRequest>(request, [&](const auto& r) { return st.register_service(r, now); });
    case method::heartbeat:
      return with<cv1::HeartbeatRequest>(request, [&](const auto& r) { return st.heartbeat(r, now); });
    case method::get_snapshot:
      return with<cv1::GetSnapshotRequest>(request, [&](const auto&) { return st.snapshot(); });
    case method::create_topics:
      return with<cv1::CreateTopicsRequest>(request, [&](const auto& r) { return st.create_topics(r); });
    case method::delete_topics:
      return with<cv1::DeleteTopicsRequest>(request, [&](const auto& r) { return st.delete_topics(r); });
    case method::create_partitions:
      return with<cv1::CreatePartitionsRequest>(request, [&](const auto& r) { return st.create_partitions(r); });
    case method::alter_topic_configs:
      return with<cv1::AlterTopicConfigsRequest>(request, [&](const auto& r) { return st.alter_topic_configs(r); });
    case method::alter_partition:
      return with<cv1::AlterPartitionRequest>(request, [&](const auto& r) { return st.alter_partition(r); });
    case method::controlled_shutdown:
      return with<cv1::ControlledShutdownRequest>(request, [&](const auto& r) { return st.controlled_shutdown(r); });
    case method::elect_leaders:
      return with<cv1::ElectLeadersRequest>(request, [&](const auto& r) { return st.elect_leaders(r); });
    case method::alter_partition_reassignments:
      return with<cv1::AlterPartitionReassignmentsRequest>(
          request, [&](const auto& r) { return st.alter_partition_reassignments(r); });
    case method::list_partition_reassignments:
      return with<cv1::ListPartitionReassignmentsRequest>(
          request, [&](const auto& r) { return st.list_partition_reassignments(r); });
    default:
      return message::make_status(request.method(), rpc_status::unknown_method);
  }
}

}  // namespace sluice::coordinator
