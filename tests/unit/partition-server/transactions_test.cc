// Transactions in one partition, partition_state driven directly: markers
// (WriteTxnMarkers) committed through the high watermark, the LSO with open
// transactions of two producers, read_committed reads and their aborted
// transactions, ListOffsets under read_committed, parked read_committed
// fetches, and a follower rebuilding the .txnindex from replicated markers.
#include <boost/test/unit_test.hpp>

#include <memory>
#include <optional>
#include <vector>

#include "services/partition-server/log_dir.h"
#include "services/partition-server/partition_state.h"
#include "tests/fixtures/temp_dir.h"
#include "tests/unit/partition-server/verified_append.h"
#include "tests/unit/storage/producer_batches.h"

using namespace sluice::partition_server;
using namespace sluice;  // offset, leader_epoch, node_id and their "none" values
namespace pv1 = sluice::partition::v1;
namespace mv1 = sluice::metadata::v1;
using sluice::storage::test::producer_batch_bytes;

namespace {

mv1::PartitionInfo info(std::int32_t leader, std::vector<std::int32_t> isr) {
  mv1::PartitionInfo p;
  p.set_partition(0);
  for (auto r : {1, 2}) p.add_replicas(r);
  for (auto r : isr) p.add_isr(r);
  p.set_leader(leader);
  p.set_leader_epoch(4);
  return p;
}

std::unique_ptr<partition_state> open_state(const std::filesystem::path& root, const std::string& name) {
  auto dir = log_dir_path(root, name, 0);
  BOOST_REQUIRE(prepare_log_dir(dir, std::string(16, '\x07')));
  auto opened = partition_state::open(dir, name, 0, config::log_config{}, 0);
  BOOST_REQUIRE(opened);
  return std::move(opened.value());
}

/// Node 1 leading t/0 with replicas 1 and 2, both in the ISR: the HW moves
/// only as node 2 fetches (follow()).
struct txn_fixture {
  sluice::test::temp_dir data;
  std::unique_ptr<partition_state> p = open_state(data.path(), "t");
  std::int64_t now = 100;

  txn_fixture() { p->set_partition_info(info(1, {1, 2}), node_id{1}, 0); }

  /// Producer `pid`'s batch of `records` records (transactional or not) with sequence `seq`.
  offset produce(std::int64_t pid, std::int32_t seq, bool transactional, int records = 1) {
    auto b = producer_batch_bytes(
        {.producer_id = pid, .sequence = seq, .records = records, .transactional = transactional});
    auto r = append_verified(*p, b, now, 1);
    BOOST_REQUIRE_MESSAGE(r.error == pv1::PARTITION_OK, r.message);
    return r.base_offset;
  }
  append_outcome marker(std::int64_t pid, bool commit, std::int16_t epoch = 0, std::int32_t coordinator_epoch = 3) {
    return p->write_txn_marker({pid, epoch, commit, coordinator_epoch}, now);
  }
  /// Node 2 fetches at the leader's log end: the HW follows.
  void follow() {
    std::vector<std::byte> out;
    reader who{node_id{2}, leader_epoch{4}, now};
    p->read(p->log_end_offset(), leader_epoch{4}, 1 << 20, true,
            [&](std::size_t n) {
              out.resize(n);
              return std::span<std::byte>(out);
            },
            who);
  }
  struct consumed {
    read_outcome outcome;
    std::vector<std::int64_t> bases;
  };
  consumed consume(std::int64_t from, bool committed) {
    std::vector<std::byte> out;
    reader who;
    who.read_committed = committed;
    consumed c;
    c.outcome = p->read(offset{from}, no_leader_epoch, 1 << 20, true,
                        [&](std::size_t n) {
                          out.resize(n);
                          return std::span<std::byte>(out);
                        },
                        who);
    sluice::protocol::batch_iterator it(std::span<const std::byte>(out.data(), c.outcome.bytes));
    while (auto b = it.next()) c.bases.push_back(sluice::protocol::batch_header(*b).base_offset());
    return c;
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(transactions)

BOOST_FIXTURE_TEST_CASE(a_marker_is_answered_once_the_high_watermark_passes_it, txn_fixture) {
  produce(10, 0, true);  // 0
  auto m = marker(10, true);
  BOOST_REQUIRE(m.error == pv1::PARTITION_OK);
  BOOST_TEST(m.base_offset == offset{1});
  std::optional<pv1::PartitionError> answer;
  p->await_commit(m.last_offset + 1, now + 1000, [&](pv1::PartitionError e) { answer = e; });
  BOOST_TEST(!answer.has_value());  // node 2 has not fetched it
  follow();
  BOOST_REQUIRE(answer.has_value());
  BOOST_TEST(*answer == pv1::PARTITION_OK);

  // Not answered in time: REQUEST_TIMED_OUT.
  auto late = marker(11, false);
  std::optional<pv1::PartitionError> timed_out;
  p->await_commit(late.last_offset + 1, now + 10, [&](pv1::PartitionError e) { timed_out = e; });
  p->expire_commits(now + 20);
  BOOST_REQUIRE(timed_out.has_value());
  BOOST_TEST(*timed_out == pv1::REQUEST_TIMED_OUT);
}

BOOST_FIXTURE_TEST_CASE(markers_are_fenced_and_only_leaders_write_them, txn_fixture) {
  produce(10, 0, true);
  BOOST_TEST(marker(10, false, 0, 5).error == pv1::PARTITION_OK);
  BOOST_TEST(marker(10, true, 0, 4).error == pv1::TRANSACTION_COORDINATOR_FENCED);  // an older coordinator
  produce(20, 0, true, 1);                                                           // epoch 0...
  BOOST_TEST(marker(20, false, 1).error == pv1::PARTITION_OK);                       // ...ended at epoch 1
  BOOST_TEST(marker(20, false, 0).error == pv1::INVALID_PRODUCER_EPOCH);            // an older epoch
  p->set_partition_info(info(2, {1, 2}), node_id{1}, 0);
  BOOST_TEST(marker(10, true).error == pv1::NOT_LEADER);
}

BOOST_FIXTURE_TEST_CASE(the_lso_waits_for_the_oldest_open_transaction_of_two_producers, txn_fixture) {
  produce(1, 0, true);   // 0 pid 1 opens
  produce(2, 0, true);   // 1 pid 2 opens
  produce(3, 0, false);  // 2 idempotent, not transactional
  follow();
  BOOST_TEST(p->high_watermark() == offset{3});
  BOOST_TEST(p->last_stable_offset() == offset{0});
  BOOST_TEST(consume(0, false).outcome.last_stable_offset == offset{0});

  marker(1, true);  // 3: pid 1 commits; the LSO moves once the HW passes the marker
  BOOST_TEST(p->last_stable_offset() == offset{0});
  follow();
  BOOST_TEST(p->last_stable_offset() == offset{1});  // pid 2's transaction holds it

  marker(2, false);  // 4: pid 2 aborts
  follow();
  BOOST_TEST(p->last_stable_offset() == p->high_watermark());
  BOOST_TEST(p->last_stable_offset() == offset{5});
}

BOOST_FIXTURE_TEST_CASE(read_committed_stops_at_the_lso_and_names_the_aborted_transactions, txn_fixture) {
  produce(1, 0, true, 2);  // 0-1 pid 1
  produce(2, 0, true);     // 2   pid 2
  marker(1, false);        // 3   pid 1 aborts while pid 2 is open
  produce(3, 0, false);    // 4
  follow();

  auto uncommitted = consume(0, false);
  BOOST_TEST((uncommitted.bases == std::vector<std::int64_t>{0, 2, 3, 4}));
  BOOST_TEST(uncommitted.outcome.aborted.empty());  // only read_committed gets them

  auto committed = consume(0, true);
  BOOST_TEST(committed.outcome.last_stable_offset == offset{2});
  BOOST_TEST((committed.bases == std::vector<std::int64_t>{0}));
  BOOST_REQUIRE_EQUAL(committed.outcome.aborted.size(), 1u);
  BOOST_TEST(committed.outcome.aborted[0].producer_id == 1);
  BOOST_TEST(committed.outcome.aborted[0].first_offset == offset{0});
  BOOST_TEST(committed.outcome.aborted[0].last_stable_offset == offset{2});  // pid 2 was open at the abort

  marker(2, true);  // 5
  follow();
  committed = consume(2, true);
  BOOST_TEST((committed.bases == std::vector<std::int64_t>{2, 3, 4, 5}));
  BOOST_TEST(committed.outcome.aborted.size() == 1u);  // pid 1's marker at 3 is in the range
  BOOST_TEST(consume(4, true).outcome.aborted.empty());
}

BOOST_FIXTURE_TEST_CASE(list_offsets_latest_is_the_lso_under_read_committed, txn_fixture) {
  produce(3, 0, false);  // 0
  produce(1, 0, true);   // 1 pid 1 opens
  produce(3, 1, false);  // 2
  follow();
  BOOST_TEST(p->list_offset(-1, no_leader_epoch).offset == offset{3});
  BOOST_TEST(p->list_offset(-1, no_leader_epoch, true).offset == offset{1});
  marker(1, true);
  follow();
  BOOST_TEST(p->list_offset(-1, no_leader_epoch, true).offset == offset{4});
}

BOOST_FIXTURE_TEST_CASE(parked_read_committed_fetches_wake_when_the_lso_moves, txn_fixture) {
  produce(1, 0, true);  // 0: open
  follow();
  const auto seen = consume(0, true).outcome;
  BOOST_TEST(seen.bytes == 0u);
  int committed_wakes = 0;
  int uncommitted_wakes = 0;
  auto committed = std::make_shared<fetch_waiter>(1, [&] { ++committed_wakes; });
  auto uncommitted = std::make_shared<fetch_waiter>(1, [&] { ++uncommitted_wakes; });
  p->watch(committed, seen.last_stable_offset, false, true);
  p->watch(uncommitted, seen.high_watermark, false, false);
  produce(1, 1, true);  // 1: still open
  follow();
  BOOST_TEST(uncommitted_wakes == 1);
  BOOST_TEST(committed_wakes == 0);  // nothing below the LSO yet
  marker(1, true);  // 2
  BOOST_TEST(committed_wakes == 0);  // not replicated yet
  follow();
  BOOST_TEST(committed_wakes == 1);
}

BOOST_AUTO_TEST_CASE(a_follower_rebuilds_the_transaction_index_from_replicated_markers) {
  sluice::test::temp_dir data;
  auto leader = open_state(data.path(), "a");
  auto follower = open_state(data.path(), "b");
  leader->set_leadership(true, leader_epoch{4});
  follower->set_partition_info(info(1, {1, 2}), node_id{2}, 0);
  auto write = [&](std::int64_t pid, std::int32_t seq) {
    auto b = producer_batch_bytes({.producer_id = pid, .sequence = seq, .transactional = true});
    BOOST_REQUIRE(append_verified(*leader, b, 100, 1).error == pv1::PARTITION_OK);
  };
  write(1, 0);  // 0
  write(2, 0);  // 1
  BOOST_REQUIRE(leader->write_txn_marker({1, 0, false, 0}, 100).error == pv1::PARTITION_OK);  // 2
  BOOST_REQUIRE(leader->write_txn_marker({2, 0, false, 0}, 100).error == pv1::PARTITION_OK);  // 3

  std::vector<std::byte> copy;
  reader who{node_id{2}, no_leader_epoch, 100};
  auto got = leader->read(offset{0}, leader_epoch{4}, 1 << 20, true,
                          [&](std::size_t n) {
                            copy.resize(n);
                            return std::span<std::byte>(copy);
                          },
                          who);
  copy.resize(got.bytes);
  BOOST_REQUIRE(follower->apply_fetched(copy, offset{4}, offset{0}, 100) == pv1::PARTITION_OK);
  BOOST_TEST(follower->log_end_offset() == offset{4});

  // The follower, once it leads, answers read_committed like the leader did.
  follower->set_leadership(true, leader_epoch{5});
  auto entries = [](partition_state& s) {
    std::vector<std::byte> out;
    reader who;
    who.read_committed = true;
    return s
        .read(offset{0}, no_leader_epoch, 1 << 20, true,
              [&](std::size_t n) {
                out.resize(n);
                return std::span<std::byte>(out);
              },
              who)
        .aborted;
  };
  const auto on_leader = entries(*leader);
  const auto on_follower = entries(*follower);
  BOOST_REQUIRE_EQUAL(on_leader.size(), 2u);
  BOOST_TEST((on_follower == on_leader));
  BOOST_TEST(on_follower[0].last_stable_offset == offset{1});  // pid 2 was open at the first abort
  BOOST_TEST(on_follower[1].last_stable_offset == offset{4});
}

BOOST_AUTO_TEST_SUITE_END()
