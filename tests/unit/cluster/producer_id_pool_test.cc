// producer_id_pool against a fake coordinator: the test decides when and how
// each AllocateProducerIds request is answered.
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <deque>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "common/cluster/producer_id_pool.h"

using namespace sluice;
using cluster::errc;
using cluster::producer_id_pool;
namespace cv1 = sluice::coordinator::v1;

namespace {

/// Records every request; the test answers them with block() / refuse() / fail().
struct fake_coordinator {
  struct pending {
    cv1::AllocateProducerIdsRequest request;
    producer_id_pool::allocate_callback done;
  };
  std::deque<pending> requests;
  std::size_t sent = 0;
  cluster::service_registration me{7, 3};

  /// A pool on this fake (returned as a prvalue: the pool does not move).
  producer_id_pool pool() {
    return producer_id_pool(
        [this](const cv1::AllocateProducerIdsRequest& req, producer_id_pool::allocate_callback done) {
          ++sent;
          requests.push_back({req, std::move(done)});
        },
        [this] { return me; });
  }
  pending take() {
    BOOST_REQUIRE(!requests.empty());
    auto p = std::move(requests.front());
    requests.pop_front();
    return p;
  }
  void block(std::int64_t first, std::int32_t count) {
    cv1::AllocateProducerIdsResponse r;
    r.set_first_producer_id(first);
    r.set_count(count);
    take().done(r);
  }
  void refuse(cv1::CoordinatorError e) {
    cv1::AllocateProducerIdsResponse r;
    r.set_error(e);
    take().done(r);
  }
  void fail(errc e) { take().done(make_error_code(e)); }
};

/// What each next() call got, in the order the callbacks ran.
struct answers {
  std::vector<result<std::int64_t>> got;
  producer_id_pool::id_callback collect() {
    return [this](result<std::int64_t> r) { got.push_back(std::move(r)); };
  }
  std::int64_t id(std::size_t i) const {
    BOOST_REQUIRE(i < got.size());
    BOOST_REQUIRE(got[i].has_value());
    return got[i].value();
  }
  std::error_code error(std::size_t i) const {
    BOOST_REQUIRE(i < got.size());
    BOOST_REQUIRE(got[i].has_error());
    return got[i].error();
  }
};

/// A pool on a fake coordinator, and what its callers got.
struct pool_fixture {
  fake_coordinator coord;
  producer_id_pool pool = coord.pool();
  answers a;

  /// `n` more next() calls.
  void take(int n) {
    for (int i = 0; i < n; ++i) pool.next(a.collect());
  }
  /// The first block, [first, first + count), with `used` of its ids taken.
  void use_first_block(std::int64_t first, std::int32_t count, int used) {
    take(1);
    coord.block(first, count);
    take(used - 1);
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(producer_id_pool_tests)

BOOST_FIXTURE_TEST_CASE(callers_wait_for_the_first_block_and_are_answered_in_order, pool_fixture) {
  take(3);
  // given three callers and no block: one request, carrying the registration
  BOOST_TEST(coord.sent == 1u);
  BOOST_TEST(a.got.empty());
  BOOST_TEST(coord.requests.front().request.node_id() == 7);
  BOOST_TEST(coord.requests.front().request.registration_epoch() == 3u);
  // when the block arrives, they get its first ids in call order
  coord.block(5000, 1000);
  BOOST_REQUIRE(a.got.size() == 3u);
  BOOST_TEST(a.id(0) == 5000);
  BOOST_TEST(a.id(1) == 5001);
  BOOST_TEST(a.id(2) == 5002);
  // then later callers are answered at once, without a request
  take(1);
  BOOST_TEST(a.id(3) == 5003);
  BOOST_TEST(coord.sent == 1u);
}

BOOST_FIXTURE_TEST_CASE(the_next_block_is_requested_at_90_percent, pool_fixture) {
  use_first_block(0, 10, 8);
  BOOST_TEST(coord.sent == 1u);  // 8 of 10 used: no request yet
  take(1);                       // the 9th: 90% used
  BOOST_TEST(coord.sent == 2u);
  take(1);  // the last id of the block, while the request is in flight
  BOOST_TEST(coord.sent == 2u);
  BOOST_REQUIRE(a.got.size() == 10u);
  for (std::size_t i = 0; i < 10; ++i) BOOST_TEST(a.id(i) == static_cast<std::int64_t>(i));
  // the prefetched block arrives before it is needed: nobody waits for it
  coord.block(10, 10);
  BOOST_TEST(a.got.size() == 10u);
  take(1);
  BOOST_TEST(a.id(10) == 10);
  BOOST_TEST(coord.sent == 2u);
}

BOOST_FIXTURE_TEST_CASE(a_prefetched_block_waits_until_the_current_one_is_used_up, pool_fixture) {
  use_first_block(100, 10, 9);  // prefetch sent
  BOOST_REQUIRE(coord.sent == 2u);
  coord.block(2000, 10);
  take(2);  // the current block's last id comes first
  BOOST_TEST(a.id(9) == 109);
  BOOST_TEST(a.id(10) == 2000);
  BOOST_TEST(coord.sent == 2u);  // the new block is 10% used: no request
}

BOOST_FIXTURE_TEST_CASE(a_block_smaller_than_the_queue_leaves_the_rest_waiting_for_another, pool_fixture) {
  take(3);
  coord.block(40, 2);
  BOOST_TEST(a.got.size() == 2u);
  BOOST_TEST(coord.sent == 2u);  // asked again at once for the third
  coord.block(90, 2);
  BOOST_REQUIRE(a.got.size() == 3u);
  BOOST_TEST(a.id(2) == 90);
}

BOOST_FIXTURE_TEST_CASE(a_failed_request_fails_the_waiting_callers_and_a_later_call_asks_again, pool_fixture) {
  take(2);
  coord.fail(errc::timed_out);
  BOOST_REQUIRE(a.got.size() == 2u);
  BOOST_TEST(a.error(0) == make_error_code(errc::timed_out));
  BOOST_TEST(a.error(1) == make_error_code(errc::timed_out));
  BOOST_TEST(coord.requests.empty());  // nothing retried by itself

  take(1);
  BOOST_TEST(coord.sent == 2u);
  coord.refuse(cv1::STALE_EPOCH);
  BOOST_TEST(a.error(2) == make_error_code(errc::stale_registration));

  coord.me = {7, 4};  // registered again
  take(1);
  BOOST_TEST(coord.requests.front().request.registration_epoch() == 4u);
  coord.refuse(cv1::STORAGE_FAILURE);
  BOOST_TEST(a.error(3) == make_error_code(errc::refused));

  take(1);
  coord.refuse(cv1::LEASE_EXPIRED);
  BOOST_TEST(a.error(4) == make_error_code(errc::stale_registration));

  take(1);
  coord.block(0, 0);  // an empty block is no answer
  BOOST_TEST(a.error(5) == make_error_code(errc::bad_reply));

  take(1);
  coord.block(3000, 1000);
  BOOST_TEST(a.id(6) == 3000);
}

BOOST_FIXTURE_TEST_CASE(a_failed_prefetch_is_retried_by_the_next_call, pool_fixture) {
  use_first_block(0, 10, 9);
  BOOST_REQUIRE(coord.sent == 2u);
  coord.fail(errc::unavailable);  // nobody was waiting: nobody fails
  BOOST_TEST(a.got.size() == 9u);
  for (std::size_t i = 0; i < 9; ++i) BOOST_TEST(a.id(i) == static_cast<std::int64_t>(i));
  take(1);  // still an id at hand, and a new request
  BOOST_TEST(a.id(9) == 9);
  BOOST_TEST(coord.sent == 3u);
}

BOOST_FIXTURE_TEST_CASE(before_registration_callers_fail_without_a_request, pool_fixture) {
  coord.me = {};
  take(1);
  BOOST_TEST(coord.sent == 0u);
  BOOST_TEST(a.error(0) == make_error_code(errc::not_ready));
}

BOOST_AUTO_TEST_CASE(a_request_in_flight_still_answers_after_the_pool_is_gone) {
  fake_coordinator coord;
  answers a;
  {
    auto pool = coord.pool();
    pool.next(a.collect());
  }
  BOOST_REQUIRE(coord.requests.size() == 1u);
  coord.block(0, 1);
  BOOST_TEST(a.id(0) == 0);
}

BOOST_AUTO_TEST_CASE(concurrent_callers_never_get_the_same_id) {
  // A coordinator answering on its own thread, as NNG does, with small blocks
  // so that many requests and queued callers happen.
  std::mutex mu;
  std::deque<producer_id_pool::allocate_callback> todo;
  std::atomic<bool> stop{false};
  std::int64_t next_first = 0;
  std::thread coordinator([&] {
    while (!stop) {
      producer_id_pool::allocate_callback done;
      {
        std::lock_guard lock(mu);
        if (!todo.empty()) {
          done = std::move(todo.front());
          todo.pop_front();
        }
      }
      if (!done) {
        std::this_thread::yield();
        continue;
      }
      cv1::AllocateProducerIdsResponse r;
      r.set_first_producer_id(next_first);
      r.set_count(7);
      next_first += 7;
      done(r);
    }
  });
  std::mutex got_mu;
  std::vector<std::int64_t> ids;
  std::atomic<int> answered{0}, failed{0};
  {
    producer_id_pool pool(
        [&](const cv1::AllocateProducerIdsRequest&, producer_id_pool::allocate_callback done) {
          std::lock_guard lock(mu);
          todo.push_back(std::move(done));
        },
        [] { return cluster::service_registration{1, 1}; });
    constexpr int threads = 4, per_thread = 500;
    std::vector<std::thread> callers;
    for (int t = 0; t < threads; ++t)
      callers.emplace_back([&] {
        for (int i = 0; i < per_thread; ++i)
          pool.next([&](result<std::int64_t> r) {  // Boost.Test checks are not thread-safe: count
            std::lock_guard lock(got_mu);
            if (r) ids.push_back(r.value());
            else ++failed;
            ++answered;
          });
      });
    for (auto& c : callers) c.join();
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (answered < threads * per_thread && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
  }
  stop = true;
  coordinator.join();
  BOOST_TEST(failed == 0);
  BOOST_REQUIRE(ids.size() == 2000u);
  BOOST_TEST(std::set<std::int64_t>(ids.begin(), ids.end()).size() == ids.size());
}

BOOST_AUTO_TEST_SUITE_END()
