// Idempotent producers through partition_state: a retry answered with the
// original offsets, the producer errors in the RPC's terms, followers that
// rebuild the leader's producer state (and trim it when they truncate),
// expiry on the retention tick, DescribeProducers.
#include <boost/test/unit_test.hpp>

#include "services/partition-server/errors.h"
#include "services/partition-server/log_dir.h"
#include "services/partition-server/partition_state.h"
#include "tests/fixtures/temp_dir.h"
#include "tests/unit/partition-server/verified_append.h"
#include "tests/unit/storage/producer_batches.h"

using namespace sluice::partition_server;
using namespace sluice;
using sluice::storage::test::marker_bytes;
using sluice::storage::test::producer_batch_bytes;
using sluice::storage::test::producer_batch_spec;
namespace pv1 = sluice::partition::v1;

namespace {

constexpr std::int64_t now_ms = 1'700'000'000'000;

struct replica_fixture {
  sluice::test::temp_dir data;
  std::unique_ptr<partition_state> p;

  explicit replica_fixture(config::log_config cfg = {}, std::string name = "t") {
    const auto dir = log_dir_path(data.path(), name, 0);
    BOOST_REQUIRE(prepare_log_dir(dir, std::string(16, '\x07')));
    auto opened = partition_state::open(dir, name, 0, cfg, now_ms);
    BOOST_REQUIRE(opened);
    p = std::move(opened.value());
  }
  append_outcome produce(producer_batch_spec spec, std::int64_t at = now_ms, std::int32_t acks = 1) {
    spec.timestamp = now_ms;
    auto bytes = producer_batch_bytes(spec);
    return append_verified(*p, bytes, at, acks);
  }
  /// Everything this replica holds, as a follower would fetch it.
  std::vector<std::byte> everything() {
    std::vector<std::byte> out;
    auto r = p->read(offset{0}, no_leader_epoch, 1 << 20, true,
                     [&](std::size_t n) {
                       out.resize(n);
                       return std::span<std::byte>(out);
                     },
                     reader{node_id{1}, no_leader_epoch, now_ms});
    BOOST_REQUIRE(r.error == pv1::PARTITION_OK);
    out.resize(r.bytes);
    return out;
  }
};

struct leader_fixture : replica_fixture {
  explicit leader_fixture(config::log_config cfg = {}) : replica_fixture(cfg) {
    p->set_leadership(true, leader_epoch{3});
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(idempotence)

BOOST_AUTO_TEST_CASE(a_retried_batch_is_answered_like_the_original_and_not_written_again) {
  config::log_config cfg;
  cfg.log_append_time = true;
  leader_fixture f(cfg);
  auto first = f.produce({.sequence = 0, .records = 3}, now_ms);
  BOOST_REQUIRE(first.error == pv1::PARTITION_OK);
  auto second = f.produce({.sequence = 3, .records = 2}, now_ms + 1);
  BOOST_REQUIRE(second.error == pv1::PARTITION_OK);
  const offset end = f.p->log_end_offset();

  auto retry = f.produce({.sequence = 0, .records = 3}, now_ms + 500);
  BOOST_TEST(retry.error == pv1::PARTITION_OK);
  BOOST_TEST(retry.base_offset == first.base_offset);
  BOOST_TEST(retry.last_offset == first.last_offset);
  BOOST_TEST(retry.log_append_time_ms == first.log_append_time_ms);
  BOOST_TEST(retry.log_start_offset == offset{0});
  BOOST_TEST(f.p->log_end_offset() == end);

  // acks=all: the retry waits for the original's commit like any append.
  auto again = f.produce({.sequence = 3, .records = 2}, now_ms + 600, -1);
  BOOST_TEST(again.base_offset == second.base_offset);
  bool answered = false;
  f.p->await_commit(again.last_offset + 1, now_ms + 10'000, [&](pv1::PartitionError e) {
    answered = true;
    BOOST_TEST(e == pv1::PARTITION_OK);
  });
  BOOST_TEST(answered);
}

BOOST_AUTO_TEST_CASE(producer_errors_reach_the_rpc_with_kafkas_codes) {
  leader_fixture f;
  BOOST_REQUIRE(f.produce({.epoch = 2, .sequence = 0, .transactional = true}).error == pv1::PARTITION_OK);
  const offset end = f.p->log_end_offset();
  auto gap = f.produce({.epoch = 2, .sequence = 4, .transactional = true});
  BOOST_TEST(gap.error == pv1::OUT_OF_ORDER_SEQUENCE_NUMBER);
  BOOST_TEST(!gap.message.empty());
  BOOST_TEST(gap.log_start_offset == offset{0});
  BOOST_TEST(f.produce({.epoch = 1, .sequence = 1}).error == pv1::INVALID_PRODUCER_EPOCH);
  BOOST_TEST(f.produce({.epoch = 2, .sequence = 1}).error == pv1::INVALID_TXN_STATE);  // not transactional
  BOOST_TEST(f.produce({.epoch = 3, .sequence = 1, .transactional = true}).error ==
             pv1::OUT_OF_ORDER_SEQUENCE_NUMBER);  // a new epoch starts at 0
  BOOST_TEST(f.p->log_end_offset() == end);
}

BOOST_AUTO_TEST_CASE(describe_producers_shows_the_leaders_producers) {
  leader_fixture f;
  BOOST_REQUIRE(f.produce({.producer_id = 7, .epoch = 1, .sequence = 0, .records = 4}).error == pv1::PARTITION_OK);
  BOOST_REQUIRE(f.produce({.producer_id = 9, .epoch = 0, .sequence = 0, .transactional = true}).error ==
                pv1::PARTITION_OK);
  auto d = f.p->describe_producers();
  BOOST_TEST(d.error() == pv1::PARTITION_OK);
  BOOST_TEST(d.topic() == "t");
  BOOST_REQUIRE(d.producers_size() == 2);
  const auto& a = d.producers(0);
  BOOST_TEST(a.producer_id() == 7);
  BOOST_TEST(a.producer_epoch() == 1);
  BOOST_TEST(a.last_sequence() == 3);
  BOOST_TEST(a.last_timestamp() == now_ms + 3);
  BOOST_TEST(a.coordinator_epoch() == -1);
  BOOST_TEST(a.current_txn_start_offset() == -1);
  BOOST_TEST(d.producers(1).producer_id() == 9);
  BOOST_TEST(d.producers(1).current_txn_start_offset() == 4);

  f.p->set_leadership(false, leader_epoch{4});
  auto follower = f.p->describe_producers();
  BOOST_TEST(follower.error() == pv1::NOT_LEADER);
  BOOST_TEST(follower.producers_size() == 0);
}

BOOST_AUTO_TEST_CASE(followers_rebuild_the_producer_state_and_trim_it_when_they_truncate) {
  leader_fixture leader;
  for (int i = 0; i < 4; ++i)
    BOOST_REQUIRE(leader.produce({.producer_id = 5, .epoch = 0, .sequence = i}).error == pv1::PARTITION_OK);
  BOOST_REQUIRE(leader.produce({.producer_id = 5, .epoch = 0, .sequence = 4}).error == pv1::PARTITION_OK);

  replica_fixture follower;
  follower.p->set_leadership(false, leader_epoch{3});
  BOOST_REQUIRE(follower.p->apply_fetched(leader.everything(), offset{5}, offset{0}, now_ms) == pv1::PARTITION_OK);
  follower.p->set_leadership(true, leader_epoch{4});
  auto d = follower.p->describe_producers();
  BOOST_REQUIRE(d.producers_size() == 1);
  BOOST_TEST(d.producers(0).last_sequence() == 4);
  // As the new leader it dedupes what the old one wrote.
  auto retry = follower.produce({.producer_id = 5, .epoch = 0, .sequence = 2});
  BOOST_TEST(retry.error == pv1::PARTITION_OK);
  BOOST_TEST(retry.base_offset == offset{2});
  BOOST_TEST(follower.p->log_end_offset() == offset{5});

  // Another follower whose log diverged past offset 4 (epoch 3 ends there at the leader).
  replica_fixture other;
  other.p->set_leadership(false, leader_epoch{3});
  BOOST_REQUIRE(other.p->apply_fetched(leader.everything(), offset{0}, offset{0}, now_ms) == pv1::PARTITION_OK);
  BOOST_REQUIRE(other.p->truncate_diverging(leader_epoch{3}, offset{4}) == pv1::PARTITION_OK);
  BOOST_TEST(other.p->log_end_offset() == offset{4});
  other.p->set_leadership(true, leader_epoch{5});
  d = other.p->describe_producers();
  BOOST_REQUIRE(d.producers_size() == 1);
  BOOST_TEST(d.producers(0).last_sequence() == 3);  // the cut batch is gone from the state
  auto rewritten = other.produce({.producer_id = 5, .epoch = 0, .sequence = 4});
  BOOST_TEST(rewritten.error == pv1::PARTITION_OK);
  BOOST_TEST(rewritten.base_offset == offset{4});
}

BOOST_AUTO_TEST_CASE(idle_producers_expire_on_the_retention_tick) {
  leader_fixture f;
  replication_options o;
  o.producer_id_expiration_ms = 60'000;
  f.p->set_replication(o);
  BOOST_REQUIRE(f.produce({.producer_id = 1, .sequence = 0}).error == pv1::PARTITION_OK);
  f.p->apply_retention(now_ms + 59'000);
  BOOST_TEST(f.p->describe_producers().producers_size() == 1);
  f.p->apply_retention(now_ms + 61'000);
  BOOST_TEST(f.p->describe_producers().producers_size() == 0);
  // Forgotten: its next batch starts it again at any sequence.
  BOOST_TEST(f.produce({.producer_id = 1, .sequence = 9}).error == pv1::PARTITION_OK);
}

BOOST_AUTO_TEST_CASE(the_state_survives_a_restart) {
  sluice::test::temp_dir data;
  const auto dir = log_dir_path(data.path(), "t", 0);
  BOOST_REQUIRE(prepare_log_dir(dir, std::string(16, '\x07')));
  for (int round = 0; round < 2; ++round) {
    auto opened = partition_state::open(dir, "t", 0, {}, now_ms);
    BOOST_REQUIRE(opened);
    auto p = std::move(opened.value());
    p->set_leadership(true, leader_epoch{3 + round});
    auto bytes = producer_batch_bytes({.producer_id = 5, .sequence = 0, .records = 2, .timestamp = now_ms});
    auto r = p->append(bytes, now_ms);
    BOOST_TEST(r.error == pv1::PARTITION_OK);
    BOOST_TEST(r.base_offset == offset{0});  // the second time: the duplicate of the first
    BOOST_TEST(p->log_end_offset() == offset{2});
  }
}

BOOST_AUTO_TEST_SUITE_END()
