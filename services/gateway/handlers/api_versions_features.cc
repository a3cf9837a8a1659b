#include "services/gateway/handlers/api_versions_features.h"

#include <string>

#include "common/cluster/supported_features.h"

namespace sluice::gateway {

void fill_features(protocol::api_versions_response& response, std::int16_t version,
                   const metadata::v1::FinalizedFeatures* finalized) {
  using response_type = protocol::api_versions_response;
  response.supported_features.clear();
  response.finalized_features.clear();
  // KAFKA-17492: an answer to v0-3 omits features supported from level 0.
  const bool omit_level_0 = version < 4;
  for (const auto& f : cluster::supported_features) {
    if (omit_level_0 && f.min_level == 0) continue;
    response.supported_features.push_back(response_type::supported_feature_key{
        .name = std::string(f.name),
        .min_version = f.min_level,
        .max_version = f.max_level,
    });
  }
  if (finalized == nullptr) {
    response.finalized_features_epoch = -1;
    return;
  }
  for (const auto& f : finalized->features()) {
    if (f.level() <= 0) continue;
    const auto level = static_cast<std::int16_t>(f.level());
    response.finalized_features.push_back(response_type::finalized_feature_key{
        .name = f.name(),
        .max_version_level = level,
        .min_version_level = level,
    });
  }
  response.finalized_features_epoch = finalized->epoch();
}

}  // namespace sluice::gateway
