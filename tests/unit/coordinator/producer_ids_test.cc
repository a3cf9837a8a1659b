// AllocateProducerIds: blocks that never overlap, a counter that survives a
// restart, and only a live service in its current registration gets one.
#include <boost/test/unit_test.hpp>

#include <limits>

#include "common/messaging/methods.h"
#include "services/coordinator/rpc_dispatch.h"
#include "services/coordinator/store/metadata_store.h"
#include "tests/unit/coordinator/state_fixture.h"

using namespace sluice::coordinator;
using namespace std::chrono_literals;

namespace {

struct producer_ids_fixture : test::state_fixture {
  cv1::AllocateProducerIdsResponse allocate(std::int32_t node, std::uint64_t epoch) {
    cv1::AllocateProducerIdsRequest req;
    req.set_node_id(node);
    req.set_registration_epoch(epoch);
    return st->allocate_producer_ids(req, now);
  }
  cv1::AllocateProducerIdsResponse allocate(const cv1::RegisterResponse& r) {
    return allocate(r.node_id(), r.registration_epoch());
  }

  /// Stores `next` as the next producer id, as a long-lived cluster would
  /// have it, and restarts the coordinator on it.
  void reopen_with_next_producer_id(std::int64_t next) {
    st.reset();
    {
      auto store = metadata_store::open(dir.path());
      BOOST_REQUIRE(store);
      change_set c;
      c.next_producer_id = next;
      BOOST_REQUIRE(store.value()->commit(c));
    }
    reopen();
  }
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(producer_ids, producer_ids_fixture)

BOOST_AUTO_TEST_CASE(consecutive_blocks_do_not_overlap) {
  auto gw = reg(mv1::GATEWAY);
  auto gc = reg(mv1::GROUP_COORDINATOR);
  const auto version = st->version();
  const auto deltas_before = deltas.size();
  auto a = allocate(gw);
  auto b = allocate(gc);
  auto c = allocate(gw);
  for (const auto* r : {&a, &b, &c}) {
    BOOST_TEST(r->error() == cv1::COORDINATOR_OK);
    BOOST_TEST(r->count() == producer_id_block_size);
  }
  BOOST_TEST(a.first_producer_id() == 0);  // Kafka's first block starts at 0
  BOOST_TEST(b.first_producer_id() == a.first_producer_id() + a.count());
  BOOST_TEST(c.first_producer_id() == b.first_producer_id() + b.count());
  BOOST_TEST(st->next_producer_id() == c.first_producer_id() + c.count());
  // Each block is one commit through the common path: version+1 and a delta.
  BOOST_TEST(st->version() == version + 3);
  BOOST_TEST(deltas.size() == deltas_before + 3);
  BOOST_TEST(deltas.back().version() == st->version());
}

BOOST_AUTO_TEST_CASE(a_reopened_store_continues_after_the_last_block) {
  auto gw = reg(mv1::GATEWAY);
  auto a = allocate(gw);
  auto b = allocate(gw);
  BOOST_REQUIRE(b.error() == cv1::COORDINATOR_OK);
  reopen();
  BOOST_TEST(st->next_producer_id() == b.first_producer_id() + b.count());
  auto c = allocate(gw);  // the stored registration is still good after a restart
  BOOST_TEST(c.error() == cv1::COORDINATOR_OK);
  BOOST_TEST(c.first_producer_id() == b.first_producer_id() + b.count());
  BOOST_TEST(c.first_producer_id() > a.first_producer_id());
}

BOOST_AUTO_TEST_CASE(only_the_current_registration_of_a_live_service_gets_ids) {
  auto first = reg(mv1::GATEWAY);
  auto second = reg(mv1::GATEWAY, first.node_id());  // re-registration fences `first`
  const auto next = st->next_producer_id();
  BOOST_TEST(allocate(first).error() == cv1::STALE_EPOCH);
  BOOST_TEST(allocate(second.node_id(), second.registration_epoch() + 1).error() == cv1::LEASE_EXPIRED);
  BOOST_TEST(allocate(99, 1).error() == cv1::LEASE_EXPIRED);  // never registered
  BOOST_TEST(st->next_producer_id() == next);                  // refusals take nothing
  BOOST_TEST(allocate(second).error() == cv1::COORDINATOR_OK);

  now += 1001ms;  // the lease runs out without a heartbeat
  BOOST_TEST(allocate(second).error() == cv1::LEASE_EXPIRED);
  BOOST_TEST(st->snapshot().services_size() == 0);
}

BOOST_AUTO_TEST_CASE(no_block_passes_int64_max) {
  constexpr auto max = std::numeric_limits<std::int64_t>::max();
  reopen_with_next_producer_id(max - 2 * producer_id_block_size);
  auto gw = reg(mv1::GATEWAY);
  auto last = allocate(gw);
  BOOST_TEST(last.error() == cv1::COORDINATOR_OK);
  BOOST_TEST(last.first_producer_id() == max - 2 * producer_id_block_size);
  auto fits = allocate(gw);  // ends at max - 1; the counter is then max
  BOOST_TEST(fits.error() == cv1::COORDINATOR_OK);
  BOOST_TEST(st->next_producer_id() == max);
  auto refused = allocate(gw);
  BOOST_TEST(refused.error() == cv1::INVALID_REQUEST);
  BOOST_TEST(refused.error_message() == "producer ids exhausted");
  BOOST_TEST(st->next_producer_id() == max);
}

BOOST_AUTO_TEST_CASE(the_rpc_reaches_the_state) {
  auto gw = reg(mv1::GATEWAY);
  cv1::AllocateProducerIdsRequest req;
  req.set_node_id(gw.node_id());
  req.set_registration_epoch(gw.registration_epoch());
  namespace msg = sluice::messaging;
  auto reply = handle_request(*st, msg::message::make(msg::method::allocate_producer_ids, req), now);
  BOOST_REQUIRE(reply.status() == msg::rpc_status::ok);
  cv1::AllocateProducerIdsResponse resp;
  BOOST_REQUIRE(reply.parse_header(resp));
  BOOST_TEST(resp.error() == cv1::COORDINATOR_OK);
  BOOST_TEST(resp.count() == producer_id_block_size);
  BOOST_TEST(st->next_producer_id() == resp.first_producer_id() + resp.count());
}

BOOST_AUTO_TEST_SUITE_END()
