// ApiVersions: the version ranges of every API in the handler registry, and
// (v3+) the features: supported by this build, finalized by the cluster
// (the coordinator's levels in the metadata view, api_versions_features.h).
#include "common/protocol/messages/api_versions.h"
#include "services/gateway/handlers/api_versions_features.h"
#include "services/gateway/handlers/handler.h"
#include "services/gateway/metadata_cache.h"

namespace sluice::gateway {

void handle_api_versions(request_context ctx) {
  // The body (client software name and version, v3+) only matters for
  // metrics; decoding it still rejects a malformed frame.
  ctx.decode<protocol::api_versions_request>();
  protocol::api_versions_response response;
  for (const auto& h : handlers()) {
    auto& entry = response.api_keys.emplace_back();
    entry.api_key = static_cast<std::int16_t>(h.key);
    entry.min_version = h.min_version;
    entry.max_version = h.max_version;
  }
  const auto view = ctx.services->metadata.current();
  fill_features(response, ctx.version(), view->has_finalized_features() ? &view->finalized_features() : nullptr);
  ctx.respond(response);
}

}  // namespace sluice::gateway
