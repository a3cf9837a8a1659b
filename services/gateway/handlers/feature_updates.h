#pragma once
// UpdateFeatures between Kafka's wire form and the coordinator's RPC
// (method 15), which checks and commits the levels. Pure functions
// (unit-tested):
// - v0's AllowDowngrade is read as SAFE_DOWNGRADE (else UPGRADE), as Kafka's
//   UpdateFeaturesRequest reads it; v1+ carry the upgrade type and
//   ValidateOnly (kafka-features --dry-run);
// - the answer is Kafka's controller's: a refusal is the top-level error
//   with no per-feature results; a success lists every feature with NONE
//   for v0-1 (v2 has no results); a failed call is REQUEST_TIMED_OUT.
#include <cstdint>

#include "common/base/result.h"
#include "common/protocol/messages/update_features.h"
#include "coordinator.pb.h"

namespace sluice::gateway {

coordinator::v1::UpdateFeaturesRequest feature_update_request(const protocol::update_features_request& request,
                                                              std::int16_t version);

protocol::update_features_response feature_update_answer(const protocol::update_features_request& request,
                                                         std::int16_t version,
                                                         const result<coordinator::v1::UpdateFeaturesResponse>& reply);

}  // namespace sluice::gateway
