#pragma once
// Pure rules for finalized feature levels (Kafka's FeatureControlManager):
// which UpdateFeatures changes are allowed, in Kafka's words when they are
// not, and the conversions between the levels and their published form.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "metadata.pb.h"

namespace sluice::coordinator {

namespace mv1 = sluice::metadata::v1;

/// Finalized levels by feature name; a feature at level 0 is absent.
using feature_levels = std::map<std::string, std::int16_t, std::less<>>;

/// Kafka's FeatureUpdate.UpgradeType; the wire codes are 1, 2, 3.
enum class upgrade_type { upgrade, safe_downgrade, unsafe_downgrade };

/// nullopt for a code Kafka calls UNKNOWN (anything but 1, 2, 3).
std::optional<upgrade_type> upgrade_type_from_code(std::int32_t code) noexcept;

/// Why `feature` may not go to `level` by an update of `upgrade_type_code`,
/// checked as Kafka's controller checks it, in its words ("Invalid update
/// version 3 for feature transaction.version. The coordinator only supports
/// versions 0-2"); nullopt when it may:
/// - the upgrade type must be known;
/// - the level must be >= 0 and within the range this build supports
///   (cluster/supported_features.h), and the feature must be one it knows;
/// - UPGRADE may not lower the level, SAFE_/UNSAFE_DOWNGRADE may not raise it
///   (the same level is allowed either way).
std::optional<std::string> feature_update_refusal(const feature_levels& current, std::string_view feature,
                                                  std::int32_t level, std::int32_t upgrade_type_code);

/// Sets `feature` to `level` in `levels` (level 0 removes it).
void set_level(feature_levels& levels, const std::string& feature, std::int16_t level);

/// A `--feature name=level` flag (Kafka's `kafka-storage format --feature`)
/// into `into`; "" when it is a supported feature at a supported level, else
/// the reason.
std::string parse_feature_flag(std::string_view flag, feature_levels& into);

/// The published form, sorted by name, with `epoch`.
mv1::FinalizedFeatures to_proto(const feature_levels& levels, std::int64_t epoch);
feature_levels levels_of(const mv1::FinalizedFeatures& finalized);
/// "transaction.version=2" (comma-separated; "none" when empty), for logs.
std::string to_string(const feature_levels& levels);

}  // namespace sluice::coordinator
