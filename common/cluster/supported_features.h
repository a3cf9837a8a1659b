#pragma once
// The feature levels (KIP-584) this build of Sluice can run at: what the
// coordinator lets UpdateFeatures finalize and what every gateway advertises
// as SupportedFeatures in ApiVersions. One table, so the two never disagree.
#include <array>
#include <cstdint>
#include <string_view>

namespace sluice::cluster {

/// One feature this build knows and the levels it serves. Kafka's other
/// features (metadata.version, kraft.version, group.version, ...) have no
/// meaning here and are not listed: the coordinator refuses to finalize them.
struct supported_feature {
  std::string_view name;
  std::int16_t min_level;
  std::int16_t max_level;
};

/// transaction.version (KIP-890): levels 0 and 1 keep clients on transaction
/// version 1 (Kafka gives 1 only a flexible transaction-log record, which we
/// write at every level), 2 lets them use transaction version 2 (Produce v12
/// adds partitions, EndTxn v5 bumps the epoch).
inline constexpr std::string_view transaction_version_feature = "transaction.version";

inline constexpr std::array supported_features{
    supported_feature{transaction_version_feature, 0, 2},
};

/// nullptr for a feature this build does not know.
constexpr const supported_feature* find_supported_feature(std::string_view name) noexcept {
  for (const auto& f : supported_features)
    if (f.name == name) return &f;
  return nullptr;
}

}  // namespace sluice::cluster
