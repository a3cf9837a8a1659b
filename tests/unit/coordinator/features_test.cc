// Finalized feature levels: Kafka's controller rules for UpdateFeatures, the
// initial levels of a new store, one commit per change with the version as
// epoch, all or nothing, validate_only, and the levels surviving a restart.
#include <boost/test/unit_test.hpp>

#include "common/messaging/methods.h"
#include "services/coordinator/feature_rules.h"
#include "services/coordinator/rpc_dispatch.h"
#include "services/coordinator/store/metadata_store.h"
#include "tests/unit/coordinator/state_fixture.h"

using namespace sluice::coordinator;

namespace {

constexpr std::int32_t upgrade = 1, safe_downgrade = 2, unsafe_downgrade = 3;
const std::string tv = "transaction.version";

std::string refusal(const feature_levels& current, std::string_view feature, std::int32_t level, std::int32_t type) {
  return feature_update_refusal(current, feature, level, type).value_or("");
}

struct features_fixture : test::state_fixture {
  cv1::UpdateFeaturesResponse update(std::vector<std::tuple<std::string, int, int>> updates, bool validate_only = false) {
    cv1::UpdateFeaturesRequest req;
    for (const auto& [name, level, type] : updates) {
      auto* u = req.add_updates();
      u->set_feature(name);
      u->set_level(level);
      u->set_upgrade_type(type);
    }
    req.set_validate_only(validate_only);
    return st->update_features(req);
  }
  feature_levels levels() const { return levels_of(st->finalized_features()); }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(feature_rules)

BOOST_AUTO_TEST_CASE(upgrades_and_downgrades_within_the_supported_range) {
  const feature_levels at2{{tv, 2}};
  BOOST_TEST(!feature_update_refusal(at2, tv, 1, safe_downgrade));
  BOOST_TEST(!feature_update_refusal(at2, tv, 0, unsafe_downgrade));
  BOOST_TEST(!feature_update_refusal({}, tv, 2, upgrade));
  // The same level is no downgrade and no upgrade: allowed either way.
  BOOST_TEST(!feature_update_refusal(at2, tv, 2, upgrade));
  BOOST_TEST(!feature_update_refusal(at2, tv, 2, safe_downgrade));
}

BOOST_AUTO_TEST_CASE(refusals_in_kafkas_words) {
  const feature_levels at1{{tv, 1}};
  BOOST_TEST(refusal(at1, tv, 3, upgrade) ==
             "Invalid update version 3 for feature transaction.version. The coordinator only supports versions 0-2");
  BOOST_TEST(refusal(at1, tv, -1, safe_downgrade) ==
             "Invalid update version -1 for feature transaction.version. A feature version cannot be less than 0.");
  BOOST_TEST(refusal(at1, tv, 0, upgrade) ==
             "Invalid update version 0 for feature transaction.version. Can't downgrade the version of this feature "
             "without setting the upgrade type to either safe or unsafe downgrade.");
  BOOST_TEST(refusal(at1, tv, 2, safe_downgrade) ==
             "Invalid update version 2 for feature transaction.version. Can't downgrade to a newer version.");
  BOOST_TEST(refusal(at1, tv, 2, unsafe_downgrade) ==
             "Invalid update version 2 for feature transaction.version. Can't downgrade to a newer version.");
  BOOST_TEST(refusal(at1, tv, 2, 0) ==
             "Invalid update version 2 for feature transaction.version. The controller does not support the given "
             "upgrade type.");
  BOOST_TEST(refusal(at1, tv, 2, 4).find("does not support the given upgrade type") != std::string::npos);
}

// Kafka's metadata.version, kraft.version and group.version mean nothing here:
// refused at every level, saying which features Sluice does finalize.
BOOST_AUTO_TEST_CASE(features_sluice_does_not_know_are_refused) {
  BOOST_TEST(refusal({}, "metadata.version", 21, upgrade) ==
             "Invalid update version 21 for feature metadata.version. The coordinator does not support this feature "
             "(Sluice finalizes only transaction.version).");
  BOOST_TEST(refusal({}, "group.version", 1, upgrade).find("does not support this feature") != std::string::npos);
  BOOST_TEST(refusal({}, "kraft.version", 0, safe_downgrade).find("does not support this feature") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(feature_flags) {
  feature_levels l;
  BOOST_TEST(parse_feature_flag("transaction.version=1", l) == "");
  BOOST_TEST((l == feature_levels{{tv, 1}}));
  BOOST_TEST(parse_feature_flag("transaction.version=0", l) == "");
  BOOST_TEST(l.empty());  // level 0: not finalized
  BOOST_TEST(parse_feature_flag("transaction.version", l) == "expected name=level, got 'transaction.version'");
  BOOST_TEST(parse_feature_flag("transaction.version=two", l) == "level 'two' of transaction.version is not a number");
  BOOST_TEST(parse_feature_flag("transaction.version=", l) != "");
  BOOST_TEST(parse_feature_flag("transaction.version=3", l).find("only supports versions 0-2") != std::string::npos);
  BOOST_TEST(parse_feature_flag("metadata.version=21", l).find("does not support this feature") != std::string::npos);
  BOOST_TEST(l.empty());
}

BOOST_AUTO_TEST_CASE(published_form_round_trips_without_level_0) {
  auto proto = to_proto({{tv, 2}}, 7);
  BOOST_REQUIRE(proto.features_size() == 1);
  BOOST_TEST(proto.features(0).name() == tv);
  BOOST_TEST(proto.features(0).level() == 2);
  BOOST_TEST(proto.epoch() == 7);
  BOOST_TEST((levels_of(proto) == feature_levels{{tv, 2}}));
  proto.mutable_features(0)->set_level(0);
  BOOST_TEST(levels_of(proto).empty());
  BOOST_TEST(to_string(feature_levels{{tv, 2}}) == "transaction.version=2");
  BOOST_TEST(to_string(feature_levels{}) == "none");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_FIXTURE_TEST_SUITE(finalized_features, features_fixture)

BOOST_AUTO_TEST_CASE(a_new_store_starts_at_transaction_version_2_as_a_change_of_its_own) {
  BOOST_TEST((levels() == feature_levels{{tv, 2}}));
  BOOST_TEST(st->version() == 1u);
  BOOST_TEST(st->finalized_features().epoch() == 1);
  const auto snap = st->snapshot();
  BOOST_REQUIRE(snap.has_finalized_features());
  BOOST_TEST(snap.finalized_features().epoch() == 1);
  BOOST_TEST((levels_of(snap.finalized_features()) == feature_levels{{tv, 2}}));
}

BOOST_AUTO_TEST_CASE(initial_levels_come_from_the_options_only_for_a_new_store) {
  test::state_fixture other;  // its own store
  other.opts.initial_features = {{tv, 1}};
  other.reopen();  // already initialised at 2 by its constructor: kept
  BOOST_TEST((levels_of(other.st->finalized_features()) == feature_levels{{tv, 2}}));

  sluice::test::temp_dir fresh;
  auto s = coordinator_state::open(fresh.path(), other.opts, now);
  BOOST_REQUIRE(s);
  BOOST_TEST((levels_of(s.value()->finalized_features()) == feature_levels{{tv, 1}}));
}

// A store from before features were cluster state has a version but no
// levels: they are set at the next version, which the running services
// learn from their heartbeats.
BOOST_AUTO_TEST_CASE(a_store_without_levels_gets_the_initial_ones_at_the_next_version) {
  sluice::test::temp_dir old;
  {
    auto store = metadata_store::open(old.path());
    BOOST_REQUIRE(store);
    change_set c;
    c.version = 41;
    BOOST_REQUIRE(store.value()->commit(c));
  }
  auto s = coordinator_state::open(old.path(), opts, now);
  BOOST_REQUIRE(s);
  BOOST_TEST(s.value()->version() == 42u);
  BOOST_TEST(s.value()->finalized_features().epoch() == 42);
  BOOST_TEST((levels_of(s.value()->finalized_features()) == feature_levels{{tv, 2}}));
}

BOOST_AUTO_TEST_CASE(a_downgrade_is_one_commit_with_its_version_as_epoch_and_survives_a_restart) {
  const auto version = st->version();
  const auto before = deltas.size();
  auto r = update({{tv, 1, safe_downgrade}});
  BOOST_TEST(r.error() == cv1::COORDINATOR_OK);
  BOOST_TEST(r.error_message() == "");
  BOOST_TEST(st->version() == version + 1);
  BOOST_TEST(r.metadata_version() == st->version());
  BOOST_TEST(r.finalized().epoch() == static_cast<std::int64_t>(st->version()));
  BOOST_TEST((levels_of(r.finalized()) == feature_levels{{tv, 1}}));
  BOOST_REQUIRE(deltas.size() == before + 1);
  BOOST_REQUIRE(deltas.back().has_finalized_features());
  BOOST_TEST(deltas.back().finalized_features().epoch() == static_cast<std::int64_t>(st->version()));
  BOOST_TEST((levels_of(deltas.back().finalized_features()) == feature_levels{{tv, 1}}));

  const auto epoch = st->finalized_features().epoch();
  reopen();
  BOOST_TEST((levels() == feature_levels{{tv, 1}}));
  BOOST_TEST(st->finalized_features().epoch() == epoch);

  r = update({{tv, 2, upgrade}});
  BOOST_TEST(r.error() == cv1::COORDINATOR_OK);
  BOOST_TEST((levels() == feature_levels{{tv, 2}}));
  BOOST_TEST(st->finalized_features().epoch() > epoch);
}

BOOST_AUTO_TEST_CASE(disabling_removes_the_feature) {
  auto r = update({{tv, 0, unsafe_downgrade}});
  BOOST_TEST(r.error() == cv1::COORDINATOR_OK);
  BOOST_TEST(levels().empty());
  BOOST_TEST(st->snapshot().finalized_features().features_size() == 0);
  BOOST_TEST(update({{tv, 2, upgrade}}).error() == cv1::COORDINATOR_OK);
  BOOST_TEST((levels() == feature_levels{{tv, 2}}));
}

BOOST_AUTO_TEST_CASE(validate_only_and_no_change_commit_nothing) {
  const auto version = st->version();
  const auto before = deltas.size();
  auto r = update({{tv, 1, safe_downgrade}}, true);
  BOOST_TEST(r.error() == cv1::COORDINATOR_OK);
  BOOST_TEST((levels_of(r.finalized()) == feature_levels{{tv, 2}}));
  r = update({{tv, 2, upgrade}});  // already there
  BOOST_TEST(r.error() == cv1::COORDINATOR_OK);
  r = update({});
  BOOST_TEST(r.error() == cv1::COORDINATOR_OK);
  BOOST_TEST(r.metadata_version() == version);
  BOOST_TEST(st->version() == version);
  BOOST_TEST(deltas.size() == before);
  BOOST_TEST((levels() == feature_levels{{tv, 2}}));
}

// A validate-only request is checked like a real one.
BOOST_AUTO_TEST_CASE(validate_only_refuses_what_the_update_would) {
  auto r = update({{tv, 3, upgrade}}, true);
  BOOST_TEST(r.error() == cv1::INVALID_UPDATE_VERSION);
}

BOOST_AUTO_TEST_CASE(one_refused_update_refuses_the_whole_request) {
  const auto version = st->version();
  auto r = update({{tv, 1, safe_downgrade}, {"metadata.version", 21, upgrade}});
  BOOST_TEST(r.error() == cv1::INVALID_UPDATE_VERSION);
  BOOST_TEST(r.error_message() ==
             "The update failed for all features since the following feature had an error: Invalid update version 21 "
             "for feature metadata.version. The coordinator does not support this feature (Sluice finalizes only "
             "transaction.version).");
  BOOST_TEST(st->version() == version);
  BOOST_TEST((levels() == feature_levels{{tv, 2}}));
  BOOST_TEST((levels_of(r.finalized()) == feature_levels{{tv, 2}}));
}

BOOST_AUTO_TEST_CASE(the_rpc_reaches_the_state) {
  cv1::UpdateFeaturesRequest req;
  auto* u = req.add_updates();
  u->set_feature(tv);
  u->set_level(1);
  u->set_upgrade_type(safe_downgrade);
  namespace msg = sluice::messaging;
  auto reply = handle_request(*st, msg::message::make(msg::method::update_features, req), now);
  BOOST_REQUIRE(reply.status() == msg::rpc_status::ok);
  cv1::UpdateFeaturesResponse resp;
  BOOST_REQUIRE(reply.parse_header(resp));
  BOOST_TEST(resp.error() == cv1::COORDINATOR_OK);
  BOOST_TEST((levels() == feature_levels{{tv, 1}}));
}

BOOST_AUTO_TEST_SUITE_END()
