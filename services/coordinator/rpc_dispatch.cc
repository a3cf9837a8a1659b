#include "services/coordinator/rpc_dispatch.h"

#include "common/logging/logger.h"
#include "common/messaging/methods.h"

namespace sluice::coordinator {
namespace {
namespace method = messaging::method;
using messaging::message;
using messaging::rpc_status;

/// Parses the request header as the protobuf `Request` and answers with what
/// `handle(request)` returns; an unparseable header is bad_request.
template <class Request, class F>
message with(const message& request, F&& handle) {
  Request req;
  if (!request.parse_header(req)) {
    logging::get("coordinator")->warn("unparseable request header for method {}", request.method());
    return message::make_status(request.method(), rpc_status::bad_request);
  }
  return message::make(request.method(), handle(req));
}

/// One RPC answered by a coordinator_state member: the request type comes
/// from the member's signature.
template <class Response, class Request>
message call(coordinator_state& st, const message& request, Response (coordinator_state::*rpc)(const Request&)) {
  return with<Request>(request, [&](const Request& r) { return (st.*rpc)(r); });
}
template <class Response, class Request>
message call(coordinator_state& st, const message& request,
             Response (coordinator_state::*rpc)(const Request&) const) {
  return with<Request>(request, [&](const Request& r) { return (st.*rpc)(r); });
}
template <class Response, class Request>
message call(coordinator_state& st, const message& request, coordinator_state::time_point now,
             Response (coordinator_state::*rpc)(const Request&, coordinator_state::time_point)) {
  return with<Request>(request, [&](const Request& r) { return (st.*rpc)(r, now); });
}

}  // namespace

message handle_request(coordinator_state& st, const message& request, coordinator_state::time_point now) {
  if (!request.well_formed()) return message::make_status(request.valid() ? request.method() : 0, rpc_status::bad_request);
  using cs = coordinator_state;
  switch (request.method()) {
    case method::register_service: return call(st, request, now, &cs::register_service);
    case method::heartbeat: return call(st, request, now, &cs::heartbeat);
    case method::get_snapshot:
      return with<cv1::GetSnapshotRequest>(request, [&](const auto&) { return st.snapshot(); });
    case method::create_topics: return call(st, request, &cs::create_topics);
    case method::delete_topics: return call(st, request, &cs::delete_topics);
    case method::create_partitions: return call(st, request, &cs::create_partitions);
    case method::alter_topic_configs: return call(st, request, &cs::alter_topic_configs);
    case method::alter_partition: return call(st, request, &cs::alter_partition);
    case method::controlled_shutdown: return call(st, request, &cs::controlled_shutdown);
    case method::elect_leaders: return call(st, request, &cs::elect_leaders);
    case method::alter_partition_reassignments: return call(st, request, &cs::alter_partition_reassignments);
    case method::list_partition_reassignments: return call(st, request, &cs::list_partition_reassignments);
    case method::allocate_producer_ids: return call(st, request, now, &cs::allocate_producer_ids);
    case method::update_features: return call(st, request, &cs::update_features);
    case method::alter_broker_configs: return call(st, request, &cs::alter_broker_configs);
    default:
      return message::make_status(request.method(), rpc_status::unknown_method);
  }
}

}  // namespace sluice::coordinator
