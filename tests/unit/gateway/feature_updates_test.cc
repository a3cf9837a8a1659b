// UpdateFeatures to and from the coordinator's RPC: v0's AllowDowngrade, v1+'s
// upgrade type and ValidateOnly; Kafka's controller's answers (a refusal at
// the top without results, per-feature results only for v0-1 successes, a
// failed call REQUEST_TIMED_OUT).
#include <boost/test/unit_test.hpp>

#include "common/cluster/errc.h"
#include "services/gateway/handlers/feature_updates.h"
#include "tests/unit/gateway/wire_round_trip.h"

using namespace sluice;
using namespace sluice::gateway;
namespace cv1 = sluice::coordinator::v1;
using request_type = protocol::update_features_request;
using response_type = protocol::update_features_response;

namespace {

request_type two_updates() {
  request_type r;
  r.feature_updates.push_back({.feature = "transaction.version", .max_version_level = 1});
  r.feature_updates.back().allow_downgrade = true;
  r.feature_updates.back().upgrade_type = 2;
  r.feature_updates.push_back({.feature = "group.version", .max_version_level = 1});
  r.feature_updates.back().upgrade_type = 1;
  r.validate_only = true;
  return r;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(feature_updates)

BOOST_AUTO_TEST_CASE(v0_reads_allow_downgrade_as_a_safe_downgrade) {
  auto req = two_updates();
  req.feature_updates[1].upgrade_type = 3;  // not on the wire at v0: ignored
  req.validate_only = false;
  const auto out = feature_update_request(req, 0);
  BOOST_REQUIRE(out.updates_size() == 2);
  BOOST_TEST(out.updates(0).feature() == "transaction.version");
  BOOST_TEST(out.updates(0).level() == 1);
  BOOST_TEST(out.updates(0).upgrade_type() == 2);
  BOOST_TEST(out.updates(1).upgrade_type() == 1);
  BOOST_TEST(!out.validate_only());
}

BOOST_AUTO_TEST_CASE(v1_carries_the_upgrade_type_and_validate_only) {
  auto req = two_updates();
  req.feature_updates[0].allow_downgrade = false;  // v0 only
  req.feature_updates[0].upgrade_type = 3;
  const auto out = feature_update_request(req, 2);
  BOOST_TEST(out.updates(0).upgrade_type() == 3);
  BOOST_TEST(out.updates(1).upgrade_type() == 1);
  BOOST_TEST(out.validate_only());
}

BOOST_AUTO_TEST_CASE(a_success_lists_each_feature_before_v2) {
  cv1::UpdateFeaturesResponse ok;
  for (std::int16_t v : {0, 1}) {
    const auto back = test::wire_round_trip(feature_update_answer(two_updates(), v, ok), v);
    BOOST_TEST(back.error_code == 0);
    BOOST_TEST(!back.error_message.has_value());
    BOOST_REQUIRE(back.results.size() == 2u);
    BOOST_TEST(back.results[0].feature == "transaction.version");
    BOOST_TEST(back.results[1].feature == "group.version");
    for (const auto& r : back.results) {
      BOOST_TEST(r.error_code == 0);
      BOOST_TEST(!r.error_message.has_value());
    }
  }
  const auto v2 = feature_update_answer(two_updates(), 2, ok);
  BOOST_TEST(v2.error_code == 0);
  BOOST_TEST(v2.results.empty());
}

BOOST_AUTO_TEST_CASE(a_refusal_is_the_top_level_error_without_results) {
  cv1::UpdateFeaturesResponse refused;
  refused.set_error(cv1::INVALID_UPDATE_VERSION);
  refused.set_error_message("The update failed for all features since ...");
  for (std::int16_t v : {0, 1, 2}) {
    const auto back = test::wire_round_trip(feature_update_answer(two_updates(), v, refused), v);
    BOOST_TEST(back.error_code == 95);  // INVALID_UPDATE_VERSION
    BOOST_TEST(back.error_message.value_or("") == "The update failed for all features since ...");
    BOOST_TEST(back.results.empty());
  }
}

BOOST_AUTO_TEST_CASE(a_failed_call_is_request_timed_out) {
  const result<cv1::UpdateFeaturesResponse> failed{cluster::make_error_code(cluster::errc::unavailable)};
  const auto out = feature_update_answer(two_updates(), 2, failed);
  BOOST_TEST(out.error_code == 7);  // REQUEST_TIMED_OUT
  BOOST_TEST(out.error_message.value_or("").starts_with("coordinator unreachable: "));
  BOOST_TEST(out.results.empty());
}

BOOST_AUTO_TEST_SUITE_END()
