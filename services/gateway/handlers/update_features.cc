// UpdateFeatures: the coordinator checks and commits the new finalized
// levels (feature_updates.h); a change is answered once this gateway's
// metadata carries it, so the client's next ApiVersions here (kafka-features
// describe) shows the new levels.
#include "common/cluster/coordinator_client.h"
#include "services/gateway/gateway_options.h"
#include "services/gateway/handlers/feature_updates.h"
#include "services/gateway/handlers/handler.h"
#include "services/gateway/metadata_cache.h"

namespace sluice::gateway {

void handle_update_features(request_context ctx) {
  auto request = std::make_shared<protocol::update_features_request>(ctx.decode<protocol::update_features_request>());
  const auto version = ctx.version();
  auto* services = ctx.services;
  using reply_type = coordinator::v1::UpdateFeaturesResponse;
  services->coordinator.update_features(
      feature_update_request(*request, version), [ctx, request, version, services](result<reply_type> r) {
        auto response = std::make_shared<protocol::update_features_response>(feature_update_answer(*request, version, r));
        if (!r || r.value().error() != coordinator::v1::COORDINATOR_OK) return ctx.respond(*response);
        const auto carried = r.value().metadata_version();
        services->metadata.wait_until([carried](const cluster::metadata_view& view) { return view.version() >= carried; },
                                      services->options.admin_propagation_timeout,
                                      [ctx, response](bool) { ctx.respond(*response); });
      });
}

}  // namespace sluice::gateway
