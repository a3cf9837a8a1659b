#pragma once
// A coordinator_state on a temp LMDB store with a fake clock, for the
// coordinator's unit tests (state, replication, group shards).
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "services/coordinator/coordinator_state.h"
#include "tests/fixtures/temp_dir.h"

namespace sluice::coordinator::test {

using namespace std::chrono_literals;

/// Lease TTL 1 s; `now` moves only when a test moves it. Every published
/// delta is kept in `deltas`.
struct state_fixture {
  sluice::test::temp_dir dir;
  coordinator_state::time_point now = coordinator_state::time_point{} + 1h;
  coordinator_options opts;
  std::vector<mv1::MetadataDelta> deltas;
  std::unique_ptr<coordinator_state> st;

  state_fixture() {
    opts.lease_ttl = 1000ms;
    opts.publish_url = "tcp://127.0.0.1:1";
    reopen();
  }

  /// Opens the store again, as a coordinator restart does.
  void reopen() {
    st.reset();  // close the LMDB env before opening it again
    auto r = coordinator_state::open(dir.path(), opts, now);
    BOOST_REQUIRE(r);
    st = std::move(r.value());
    st->set_publisher([this](const mv1::MetadataDelta& d) { deltas.push_back(d); });
  }

  /// Registers a service of `kind`, with node id `id` (-1: the next free one).
  cv1::RegisterResponse reg(mv1::ServiceKind kind, int id = -1) {
    cv1::RegisterRequest req;
    req.set_kind(kind);
    req.set_requested_node_id(id);
    req.set_rpc_url("tcp://127.0.0.1:7");
    return st->register_service(req, now);
  }

  /// The committed state of topic `name` (fails the test when there is none).
  mv1::TopicInfo topic(const std::string& name) const {
    auto snap = st->snapshot();
    for (const auto& t : snap.topics())
      if (t.name() == name) return t;
    BOOST_FAIL("no topic " << name);
    return {};
  }

  cv1::CoordinatorError beat(const cv1::RegisterResponse& r) { return beat(r.node_id(), r.registration_epoch()); }
  cv1::CoordinatorError beat(int id, std::uint64_t epoch) {
    cv1::HeartbeatRequest req;
    req.set_node_id(id);
    req.set_registration_epoch(epoch);
    return st->heartbeat(req, now).error();
  }
};

}  // namespace sluice::coordinator::test
