// FindCoordinator: for a consumer group (key type 0) or a transactional id
// (key type 1) the coordinator is a broker id at a gateway, which forwards the key's
// requests to the group coordinator owning its shard (group_routing.h,
// txn_routing.h); coordinator_lookup.h says which. v4+ batches keys.
#include "common/protocol/messages/find_coordinator.h"
#include "services/gateway/error_mapping.h"
#include "services/gateway/gateway_options.h"
#include "services/gateway/handlers/coordinator_lookup.h"
#include "services/gateway/handlers/handler.h"
#include "services/gateway/metadata_cache.h"

namespace sluice::gateway {

namespace {

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
  auto view = ctx.services->metadata.current();
  const int step = ctx.services->options.broker_port_step;
  if (ctx.version() < 4) {
    fill(response, find_coordinator_for(*view, request.key_type, request.coordinator_key, step));
    return ctx.respond(response);
  }
  for (const auto& key : request.coordinator_keys) {
    auto& c = response.coordinators.emplace_back();
    c.key = key;
    fill(c, find_coordinator_for(*view, request.key_type, key, step));
  }
  ctx.respond(response);
}

}  // namespace sluice::gateway
