#include "services/gateway/handlers/feature_updates.h"

#include "services/gateway/error_mapping.h"

namespace sluice::gateway {
namespace {

namespace cv1 = coordinator::v1;

// Kafka's FeatureUpdate.UpgradeType codes.
constexpr std::int32_t upgrade = 1;
constexpr std::int32_t safe_downgrade = 2;

}  // namespace

cv1::UpdateFeaturesRequest feature_update_request(const protocol::update_features_request& request,
                                                  std::int16_t version) {
  cv1::UpdateFeaturesRequest out;
  for (const auto& f : request.feature_updates) {
    auto* u = out.add_updates();
    u->set_feature(f.feature);
    u->set_level(f.max_version_level);
    if (version == 0) {
      u->set_upgrade_type(f.allow_downgrade ? safe_downgrade : upgrade);
    } else {
      u->set_upgrade_type(f.upgrade_type);
    }
  }
  out.set_validate_only(request.validate_only);  // false before v1 (the decoded default)
  return out;
}

protocol::update_features_response feature_update_answer(const protocol::update_features_request& request,
                                                         std::int16_t version,
                                                         const result<cv1::UpdateFeaturesResponse>& reply) {
  protocol::update_features_response out;
  out.results.clear();
  if (!reply) {
    out.error_code = code(protocol::error_code::request_timed_out);
    out.error_message = "coordinator unreachable: " + reply.error().message();
    return out;
  }
  const auto& r = reply.value();
  out.error_code = code(to_kafka(r.error()));
  if (r.error() != cv1::COORDINATOR_OK) {
    out.error_message = r.error_message();
    return out;
  }
  out.error_message = std::nullopt;
  if (version <= 1) {
    for (const auto& f : request.feature_updates) {
      auto& result = out.results.emplace_back();
      result.feature = f.feature;
      result.error_code = 0;
      result.error_message = std::nullopt;
    }
  }
  return out;
}

}  // namespace sluice::gateway
