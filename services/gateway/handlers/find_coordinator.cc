// FindCoordinator: for a consumer group the coordinator is a gateway, which
// forwards the group's requests to the group coordinator that owns it
// (group_routing.h). Every gateway names the same one (the gateway Metadata
// names as leader of the group's __consumer_offsets partition), so clients
// spread over gateways and each group is listed by one gateway only
// (list_groups.cc). Transactions are not served: their keys get
// COORDINATOR_NOT_AVAILABLE.
#include "common/protocol/messages/find_coordinator.h"
#include "services/gateway/error_mapping.h"
#include "services/gateway/group_routing.h"
#include "common/cluster/group_shards.h"
#include "services/gateway/handlers/handler.h"
#include "services/gateway/leader_choice.h"
#include "services/gateway/metadata_cache.h"

namespace sluice::gateway {

namespace {

constexpr std::int8_t group_key = 0;
constexpr std::int8_t transaction_key = 1;

struct coordinator_answer {
  protocol::error_code error = protocol::error_code::none;
  std::string message;
  std::int32_t node_id = -1;
  std::string host;
  std::int32_t port = -1;
};

coordinator_answer find(const request_context& ctx, std::int8_t key_type, const std::string& key) {
  using protocol::error_code;
  if (key_type == transaction_key) return {error_code::coordinator_not_available, "transactions are not served", -1, "", -1};
  if (key_type != group_key) return {error_code::invalid_request, "unknown key type " + std::to_string(key_type), -1, "", -1};
  if (group_owner(ctx, key) < 0)
    return {error_code::coordinator_not_available, "no group coordinator is live", -1, "", -1};
  auto view = ctx.services->metadata.current();
  const auto* gateway =
      view->service(leader_gateway(*view, cluster::offsets_topic, cluster::offsets_partition_for(key)));
  if (gateway == nullptr) return {error_code::coordinator_not_available, "no gateway is registered yet", -1, "", -1};
  return {error_code::none, "", gateway->node_id(), gateway->kafka_host(), gateway->kafka_port()};
}

/// Fills the answer's fields: the v0-3 response and each v4+ coordinator entry have the same ones.
template <class Out>
void fill(Out& out, const coordinator_answer& a) {
  out.error_code = code(a.error);
  out.error_message = a.message.empty() ? std::nullopt : std::optional(a.message);
  out.node_id = a.node_id;
  out.host = a.host;
  out.port = a.port;
}

}  // namespace

void handle_find_coordinator(request_context ctx) {
  auto request = ctx.decode<protocol::find_coordinator_request>();
  protocol::find_coordinator_response response;
  if (ctx.version() < 4) {
    fill(response, find(ctx, request.key_type, request.coordinator_key));
    return ctx.respond(response);
  }
  for (const auto& key : request.coordinator_keys) {
    auto& c = response.coordinators.emplace_back();
    c.key = key;
    fill(c, find(ctx, request.key_type, key));
  }
  ctx.respond(response);
}

}  // namespace sluice::gateway
