// coordinator_state: UpdateFeatures, Kafka's FeatureControlManager. The
// finalized levels are one stored value, replaced whole by the one commit
// path; the version of that commit is their epoch, so a gateway's ApiVersions
// answer and the clients' choice of the highest epoch follow every change.
#include "services/coordinator/state_helpers.h"

namespace sluice::coordinator {

cv1::UpdateFeaturesResponse coordinator_state::update_features(const cv1::UpdateFeaturesRequest& req) {
  using response = cv1::UpdateFeaturesResponse;
  auto answer_with_state = [this](cv1::CoordinatorError error, std::string message) {
    auto r = answer<response>(error);
    r.set_error_message(std::move(message));
    r.set_metadata_version(st_.version);
    *r.mutable_finalized() = *st_.finalized_features;
    return r;
  };
  // Every update is checked against the levels before the request, as
  // Kafka's controller checks them; a later update of the same feature wins.
  const auto current = levels_of(*st_.finalized_features);
  auto next = current;
  for (const auto& u : req.updates()) {
    if (auto why = feature_update_refusal(current, u.feature(), u.level(), u.upgrade_type())) {
      log()->warn("UpdateFeatures refused: {}", *why);
      // Kafka's QuorumController words the whole request's failure so.
      return answer_with_state(cv1::INVALID_UPDATE_VERSION,
                               "The update failed for all features since the following feature had an error: " + *why);
    }
    set_level(next, u.feature(), static_cast<std::int16_t>(u.level()));
  }
  if (req.validate_only() || next == current) return answer_with_state(cv1::COORDINATOR_OK, "");

  change_set c;
  c.finalized_features = to_proto(next, static_cast<std::int64_t>(st_.version + 1));
  if (!commit(c)) return answer_with_state(cv1::STORAGE_FAILURE, storage_failure_message);
  log()->info("finalized features: {} (was {}), epoch {}", to_string(next), to_string(current), st_.version);
  return answer_with_state(cv1::COORDINATOR_OK, "");
}

}  // namespace sluice::coordinator
