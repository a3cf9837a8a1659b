#pragma once
// The feature part of an ApiVersions answer (v3+, KIP-584): which feature
// levels this gateway supports and which the cluster has finalized. The one
// feature is `transaction.version` (KIP-890): a Java 4.x producer uses
// transaction version 2 (Produce v12 adds partitions, EndTxn v5 bumps the
// epoch) only when it is finalized at 2. Pure, so it is unit-tested.
#include <cstdint>
#include <string_view>

#include "common/protocol/messages/api_versions.h"

namespace sluice::gateway {

inline constexpr std::string_view transaction_version_feature = "transaction.version";
/// The levels this build serves: 0 and 1 mean transaction version 1 (Kafka
/// gives 1 no behaviour of its own), 2 transaction version 2.
inline constexpr std::int16_t min_transaction_version = 0;
inline constexpr std::int16_t max_transaction_version = 2;

/// Fills SupportedFeatures, FinalizedFeatures and FinalizedFeaturesEpoch as
/// Kafka's ApiVersionsResponse.Builder does for a request of `version`:
/// - supported: transaction.version min..max, except in answers to v0-3
///   requests, which leave out every feature whose minimum is 0 (older
///   clients cannot read one, KAFKA-17492);
/// - finalized: transaction.version at `transaction_version` (min = max =
///   the level), left out when the level is 0, as Kafka leaves out level 0;
/// - epoch: `features_epoch`, which must only grow (clients keep the
///   finalized features of the highest epoch they saw).
/// Before v3 the fields do not exist on the wire, so this has no effect there.
void fill_features(protocol::api_versions_response& response, std::int16_t version, std::int16_t transaction_version,
                   std::int64_t features_epoch);

}  // namespace sluice::gateway
