#include "services/gateway/handlers/api_versions_features.h"

#include <string>

namespace sluice::gateway {

void fill_features(protocol::api_versions_response& response, std::int16_t version, std::int16_t transaction_version,
                   std::int64_t features_epoch) {
  using response_type = protocol::api_versions_response;
  response.supported_features.clear();
  response.finalized_features.clear();
  // KAFKA-17492: an answer to v0-3 omits features supported from level 0.
  const bool omit_level_0 = version < 4;
  if (!(omit_level_0 && min_transaction_version == 0)) {
    response.supported_features.push_back(response_type::supported_feature_key{
        .name = std::string(transaction_version_feature),
        .min_version = min_transaction_version,
        .max_version = max_transaction_version,
    });
  }
  if (transaction_version != 0) {
    response.finalized_features.push_back(response_type::finalized_feature_key{
        .name = std::string(transaction_version_feature),
        .max_version_level = transaction_version,
        .min_version_level = transaction_version,
    });
  }
  response.finalized_features_epoch = features_epoch;
}

}  // namespace sluice::gateway
