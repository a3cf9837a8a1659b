#include <boost/test/unit_test.hpp>

#include "services/gateway/handlers/api_versions_features.h"
#include "tests/unit/gateway/wire_round_trip.h"

using namespace sluice;
using namespace sluice::gateway;
using response_type = protocol::api_versions_response;

namespace {

/// The coordinator's levels as the metadata view carries them (a level 0
/// entry included, which the coordinator never publishes: still not listed).
sluice::metadata::v1::FinalizedFeatures finalized(std::int32_t transaction_version, std::int64_t epoch) {
  sluice::metadata::v1::FinalizedFeatures f;
  auto* level = f.add_features();
  level->set_name("transaction.version");
  level->set_level(transaction_version);
  f.set_epoch(epoch);
  return f;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(api_versions_features)

BOOST_AUTO_TEST_CASE(v4_lists_supported_0_to_2_and_finalizes_the_level) {
  response_type r;
  const auto r_levels = finalized(2, 17);
  fill_features(r, 4, &r_levels);
  const auto back = test::wire_round_trip(r, 4);
  BOOST_REQUIRE(back.supported_features.size() == 1u);
  BOOST_TEST(back.supported_features[0].name == "transaction.version");
  BOOST_TEST(back.supported_features[0].min_version == 0);
  BOOST_TEST(back.supported_features[0].max_version == 2);
  BOOST_REQUIRE(back.finalized_features.size() == 1u);
  BOOST_TEST(back.finalized_features[0].name == "transaction.version");
  BOOST_TEST(back.finalized_features[0].min_version_level == 2);
  BOOST_TEST(back.finalized_features[0].max_version_level == 2);
  BOOST_TEST(back.finalized_features_epoch == 17);
}

// KAFKA-17492: clients sending ApiVersions v3 cannot read a supported
// feature whose minimum is 0, so Kafka leaves those out; finalized
// features are still listed.
BOOST_AUTO_TEST_CASE(v3_leaves_out_features_supported_from_level_0) {
  response_type r;
  const auto r_levels = finalized(2, 5);
  fill_features(r, 3, &r_levels);
  const auto back = test::wire_round_trip(r, 3);
  BOOST_TEST(back.supported_features.empty());
  BOOST_REQUIRE(back.finalized_features.size() == 1u);
  BOOST_TEST(back.finalized_features[0].max_version_level == 2);
  BOOST_TEST(back.finalized_features_epoch == 5);
}

BOOST_AUTO_TEST_CASE(level_1_is_finalized_and_level_0_is_not_listed) {
  response_type one;
  const auto one_levels = finalized(1, 9);
  fill_features(one, 4, &one_levels);
  BOOST_REQUIRE(one.finalized_features.size() == 1u);
  BOOST_TEST(one.finalized_features[0].min_version_level == 1);
  BOOST_TEST(one.finalized_features[0].max_version_level == 1);

  response_type zero;
  const auto zero_levels = finalized(0, 9);
  fill_features(zero, 4, &zero_levels);
  BOOST_TEST(zero.finalized_features.empty());        // as Kafka: no level-0 entries
  BOOST_TEST(zero.supported_features.size() == 1u);   // still supported
  BOOST_TEST(zero.finalized_features_epoch == 9);
}

BOOST_AUTO_TEST_CASE(before_v3_the_features_are_not_on_the_wire) {
  response_type with;
  with.api_keys.push_back({18, 0, 4});
  const auto with_levels = finalized(2, 7);
  fill_features(with, 2, &with_levels);
  response_type without;
  without.api_keys.push_back({18, 0, 4});
  protocol::writer a, b;
  with.encode(a, 2);
  without.encode(b, 2);
  BOOST_TEST(a.take() == b.take());
}

// Before the first snapshot with the coordinator's levels: nothing
// finalized and epoch -1, so clients keep what another gateway told them.
BOOST_AUTO_TEST_CASE(no_levels_known_yet_is_epoch_minus_1) {
  response_type r;
  fill_features(r, 4, nullptr);
  const auto back = test::wire_round_trip(r, 4);
  BOOST_TEST(back.supported_features.size() == 1u);
  BOOST_TEST(back.finalized_features.empty());
  BOOST_TEST(back.finalized_features_epoch == -1);
}

BOOST_AUTO_TEST_SUITE_END()
