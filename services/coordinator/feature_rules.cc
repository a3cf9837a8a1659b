#include "services/coordinator/feature_rules.h"

#include <charconv>
#include <limits>

#include "common/cluster/supported_features.h"

namespace sluice::coordinator {
namespace {

/// Kafka's VersionRange.toString: "2" for a single level, else "0-2".
std::string range_text(const cluster::supported_feature& f) {
  if (f.min_level == f.max_level) return std::to_string(f.min_level);
  return std::to_string(f.min_level) + "-" + std::to_string(f.max_level);
}

std::string known_features() {
  std::string out;
  for (const auto& f : cluster::supported_features) out += (out.empty() ? "" : ", ") + std::string(f.name);
  return out;
}

/// Kafka's invalidUpdateVersion message.
std::string invalid_update(std::string_view feature, std::int32_t level, std::string_view why) {
  return "Invalid update version " + std::to_string(level) + " for feature " + std::string(feature) + ". " +
         std::string(why);
}

}  // namespace

std::optional<upgrade_type> upgrade_type_from_code(std::int32_t code) noexcept {
  switch (code) {
    case 1: return upgrade_type::upgrade;
    case 2: return upgrade_type::safe_downgrade;
    case 3: return upgrade_type::unsafe_downgrade;
  }
  return std::nullopt;
}

std::optional<std::string> feature_update_refusal(const feature_levels& current, std::string_view feature,
                                                  std::int32_t level, std::int32_t upgrade_type_code) {
  const auto type = upgrade_type_from_code(upgrade_type_code);
  if (!type) return invalid_update(feature, level, "The controller does not support the given upgrade type.");
  if (level < 0) return invalid_update(feature, level, "A feature version cannot be less than 0.");
  // Kafka asks every controller and broker whether it supports the level; here
  // every service is this build, so the table answers for all of them.
  const auto* supported = cluster::find_supported_feature(feature);
  if (supported == nullptr) {
    return invalid_update(feature, level,
                          "The coordinator does not support this feature (Sluice finalizes only " + known_features() +
                              ").");
  }
  if (level < supported->min_level || level > supported->max_level)
    return invalid_update(feature, level, "The coordinator only supports versions " + range_text(*supported));
  auto it = current.find(feature);
  const std::int32_t now = it == current.end() ? 0 : it->second;
  if (level < now && *type == upgrade_type::upgrade) {
    return invalid_update(feature, level,
                          "Can't downgrade the version of this feature without setting the upgrade type to either "
                          "safe or unsafe downgrade.");
  }
  if (level > now && *type != upgrade_type::upgrade)
    return invalid_update(feature, level, "Can't downgrade to a newer version.");
  return std::nullopt;
}

void set_level(feature_levels& levels, const std::string& feature, std::int16_t level) {
  if (level == 0) {
    levels.erase(feature);
  } else {
    levels[feature] = level;
  }
}

std::string parse_feature_flag(std::string_view flag, feature_levels& into) {
  const auto eq = flag.find('=');
  if (eq == std::string_view::npos) return "expected name=level, got '" + std::string(flag) + "'";
  const std::string name(flag.substr(0, eq));
  const auto text = flag.substr(eq + 1);
  std::int32_t level = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), level);
  if (ec != std::errc{} || end != text.data() + text.size() || text.empty() ||
      level > std::numeric_limits<std::int16_t>::max())
    return "level '" + std::string(text) + "' of " + name + " is not a number";
  // The same checks as an upgrade from nothing: known feature, level in range.
  if (auto why = feature_update_refusal({}, name, level, 1)) return *why;
  set_level(into, name, static_cast<std::int16_t>(level));
  return "";
}

mv1::FinalizedFeatures to_proto(const feature_levels& levels, std::int64_t epoch) {
  mv1::FinalizedFeatures out;
  for (const auto& [name, level] : levels) {  // std::map: sorted by name
    auto* f = out.add_features();
    f->set_name(name);
    f->set_level(level);
  }
  out.set_epoch(epoch);
  return out;
}

feature_levels levels_of(const mv1::FinalizedFeatures& finalized) {
  feature_levels out;
  for (const auto& f : finalized.features())
    if (f.level() > 0) out[f.name()] = static_cast<std::int16_t>(f.level());
  return out;
}

std::string to_string(const feature_levels& levels) {
  if (levels.empty()) return "none";
  std::string out;
  for (const auto& [name, level] : levels) out += (out.empty() ? "" : ", ") + name + "=" + std::to_string(level);
  return out;
}

}  // namespace sluice::coordinator
