// DescribeCluster: the brokers Metadata lists (broker_map.h), the same
// controller. Like a Kafka broker, a request for the controllers' endpoints
// (v1 endpoint type 2) is MISMATCHED_ENDPOINT_TYPE, an unknown type
// UNSUPPORTED_ENDPOINT_TYPE (Kafka's AuthHelper.computeDescribeClusterResponse).
#include "common/protocol/messages/describe_cluster.h"
#include "services/gateway/broker_map.h"
#include "services/gateway/error_mapping.h"
#include "services/gateway/gateway_options.h"
#include "services/gateway/handlers/handler.h"
#include "services/gateway/metadata_cache.h"

namespace sluice::gateway {

namespace {
constexpr std::int8_t broker_endpoints = 1;
constexpr std::int8_t controller_endpoints = 2;
}  // namespace

void handle_describe_cluster(request_context ctx) {
  auto request = ctx.decode<protocol::describe_cluster_request>();
  auto view = ctx.services->metadata.current();
  protocol::describe_cluster_response response;
  response.endpoint_type = broker_endpoints;
  if (request.endpoint_type != broker_endpoints) {  // v0 cannot send another: the default is 1
    const bool known = request.endpoint_type == controller_endpoints;
    response.error_code = code(known ? protocol::error_code::mismatched_endpoint_type
                                     : protocol::error_code::unsupported_endpoint_type);
    response.error_message = known ? "The request was sent to an endpoint of type BROKER, but we wanted an endpoint "
                                     "of type CONTROLLER"
                                   : "Unsupported endpoint type " + std::to_string(request.endpoint_type);
    return ctx.respond(response);
  }
  response.cluster_id = view->cluster_id();
  response.controller_id = controller_broker(*view);
  for (const auto& broker : advertised_brokers(*view, ctx.services->options.broker_port_step)) {
    auto& b = response.brokers.emplace_back();
    b.broker_id = broker.node_id;
    b.host = broker.host;
    b.port = broker.port;
  }
  ctx.respond(response);
}

}  // namespace sluice::gateway
