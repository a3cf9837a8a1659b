#pragma once
// The feature part of an ApiVersions answer (v3+, KIP-584): which feature
// levels this gateway supports (cluster/supported_features.h) and which the
// cluster has finalized (the coordinator's FinalizedFeatures, from the
// metadata view). The one feature is `transaction.version` (KIP-890): a Java
// 4.x producer uses transaction version 2 (Produce v12 adds partitions,
// EndTxn v5 bumps the epoch) only when it is finalized at 2. Pure, so it is
// unit-tested.
#include <cstdint>

#include "common/protocol/messages/api_versions.h"
#include "metadata.pb.h"

namespace sluice::gateway {

/// Fills SupportedFeatures, FinalizedFeatures and FinalizedFeaturesEpoch as
/// Kafka's ApiVersionsResponse.Builder does for a request of `version`:
/// - supported: every feature of the supported table, except in answers to
///   v0-3 requests, which leave out every feature whose minimum is 0 (older
///   clients cannot read one, KAFKA-17492);
/// - finalized: each finalized feature with min = max = its level; a level
///   0 is not listed, as Kafka leaves it out;
/// - epoch: `finalized->epoch()` (it only grows: clients keep the finalized
///   features of the highest epoch they saw); with no finalized features
///   known yet (`finalized` nullptr) none are listed and the epoch is -1.
/// Before v3 the fields do not exist on the wire, so this has no effect there.
void fill_features(protocol::api_versions_response& response, std::int16_t version,
                   const metadata::v1::FinalizedFeatures* finalized);

}  // namespace sluice::gateway
