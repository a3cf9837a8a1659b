// DescribeCluster: the live gateways are the brokers.
#include "common/protocol/messages/describe_cluster.h"
#include "services/gateway/handlers/handler.h"
#include "services/gateway/metadata_cache.h"

namespace sluice::gateway {

void handle_describe_cluster(request_context ctx) {
  ctx.decode<protocol::describe_cluster_request>();
  auto view = ctx.services->metadata.current();
  protocol::describe_cluster_response response;
  response.cluster_id = view->cluster_id();
  response.controller_id = ctx.services->node_id();
  for (const auto* gateway : view->gateways()) {
    auto& b = response.brokers.emplace_back();
    b.broker_id = gateway->node_id();
    b.host = gateway->kafka_host();
    b.port = gateway->kafka_port();
  }
  ctx.respond(response);
}

}  // namespace sluice::gateway
