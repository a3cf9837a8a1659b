// Transactional offsets in a shard: a TxnOffsetCommit's offsets are pending
// for their producer, invisible until its COMMIT marker, dropped by its
// ABORT; a plain commit written later wins over a transaction's; deleting
// the group or its offsets ends pending ones too; and the log, replayed as
// the record batches the partition server returns (transactional batches,
// control batches), rebuilds the same state.
#include <boost/test/unit_test.hpp>

#include "common/protocol/control_record.h"
#include "common/protocol/record_batch_builder.h"
#include "services/group-coordinator/consumer/consumer_group.h"
#include "services/group-coordinator/shard_replay.h"
#include "tests/unit/group-coordinator/shard_test_util.h"

using namespace sluice::group_coordinator;
using namespace sluice::group_coordinator::test;

namespace {

constexpr txn_producer producer_a{1000, 0};
constexpr txn_producer producer_b{1001, 3};

txn_marker marker(txn_producer p, bool commit) { return txn_marker{p, commit, 7}; }

/// The log as the partition server would return it: one record batch per
/// write, transactional batches with their producer, markers as control
/// batches (Kafka's EndTransactionMarker).
std::vector<std::byte> as_batches(const fake_record_log& log) {
  std::vector<std::byte> out;
  std::int64_t offset = 0;
  for (const auto& e : log.entries) {
    std::vector<std::byte> batch;
    if (e.marker) {
      const sluice::protocol::txn_marker m{
          e.marker->commit ? sluice::protocol::control_type::commit : sluice::protocol::control_type::abort,
          e.marker->coordinator_epoch};
      batch = sluice::protocol::build_txn_marker_batch(m, e.marker->producer.id, e.marker->producer.epoch, 0);
    } else {
      sluice::protocol::batch_build_options options;
      if (e.producer) {
        options.transactional = true;
        options.producer_id = e.producer->id;
        options.producer_epoch = e.producer->epoch;
        options.base_sequence = 0;
      }
      std::vector<sluice::protocol::record_to_build> records;
      for (const auto& r : e.records) records.push_back({r.key, r.value, {}, 0});
      batch = sluice::protocol::build_batch(records, options);
    }
    sluice::protocol::stamp_base_offset(batch, offset);
    offset = sluice::protocol::batch_header(batch).next_offset();
    out.insert(out.end(), batch.begin(), batch.end());
  }
  return out;
}

/// A new owner of the shard: the log replayed into a fresh shard the way
/// the service loads it.
struct replayed {
  fake_record_log log;
  group_options options;
  group_shard shard{0, 2, options, log};
  std::int64_t next_offset = 0;
  explicit replayed(const fake_record_log& written) {
    replay_batches(shard, as_batches(written), topic_catalog{}, {}, next_offset);
  }
};

/// What the helpers below answer when there is no offset.
constexpr std::int64_t none = -1;

std::int64_t committed(const group_shard& shard, const std::string& topic, std::int32_t partition) {
  const auto* offsets = shard.offsets("g");
  if (!offsets) return none;
  auto it = offsets->find({topic, partition});
  return it == offsets->end() ? none : it->second.offset;
}

std::int64_t pending_of(const group_shard& shard, txn_producer p, const std::string& topic, std::int32_t partition) {
  const auto* v = shard.pending(p.id, "g", {topic, partition});
  return v ? v->offset : none;
}

/// What a new owner must see as this shard sees it: committed and pending offsets.
void same_state(const group_shard& live, const group_shard& back, const std::vector<topic_partition>& partitions) {
  for (const auto& [topic, partition] : partitions) {
    BOOST_TEST(committed(live, topic, partition) == committed(back, topic, partition));
    for (auto p : {producer_a, producer_b})
      BOOST_TEST(pending_of(live, p, topic, partition) == pending_of(back, p, topic, partition));
    BOOST_TEST(live.has_pending("g", {topic, partition}) == back.has_pending("g", {topic, partition}));
  }
  BOOST_TEST(live.exists("g") == back.exists("g"));
}

}  // namespace

BOOST_AUTO_TEST_SUITE(group_shard_transactions)

BOOST_FIXTURE_TEST_CASE(pending_offsets_are_invisible_until_the_commit_marker, shard_fixture) {
  shard.commit("g", {{{"orders", 0}, at(1)}}, [](error_code) {});
  log.complete();
  std::optional<error_code> written;
  shard.commit_transactional("g", producer_a, {{{"orders", 0}, at(10)}, {{"orders", 1}, at(11)}},
                             [&](error_code e) { written = e; });
  BOOST_TEST(!shard.has_pending("g", {"orders", 0}));  // not durable yet
  log.complete();
  BOOST_REQUIRE(written);
  BOOST_TEST(code_of(*written) == code_of(error_code::none));
  BOOST_TEST(log.entries.back().producer->id == producer_a.id);  // a transactional batch of the producer
  BOOST_TEST(log.entries.back().producer->epoch == producer_a.epoch);
  BOOST_TEST(committed(shard, "orders", 0) == 1);
  BOOST_TEST(committed(shard, "orders", 1) == none);
  BOOST_TEST(shard.has_pending("g", {"orders", 0}));
  BOOST_TEST(pending_of(shard, producer_a, "orders", 1) == 11);

  std::optional<error_code> ended;
  shard.complete_transaction(marker(producer_a, true), [&](error_code e) { ended = e; });
  BOOST_TEST(committed(shard, "orders", 0) == 1);  // the marker is not durable yet
  BOOST_REQUIRE(log.pending.size() == 1u);
  BOOST_TEST(log.pending[0].first.marker->commit);
  BOOST_TEST(log.pending[0].first.marker->coordinator_epoch == 7);
  log.complete();
  BOOST_REQUIRE(ended);
  BOOST_TEST(code_of(*ended) == code_of(error_code::none));
  BOOST_TEST(committed(shard, "orders", 0) == 10);
  BOOST_TEST(committed(shard, "orders", 1) == 11);
  BOOST_TEST(!shard.has_pending("g", {"orders", 0}));
  BOOST_TEST(!shard.pending(producer_a.id, "g", {"orders", 1}));

  replayed back(log);
  same_state(shard, back.shard, {{"orders", 0}, {"orders", 1}});
}

BOOST_FIXTURE_TEST_CASE(an_abort_marker_drops_the_pending_offsets, shard_fixture) {
  shard.commit("g", {{{"orders", 0}, at(1)}}, [](error_code) {});
  shard.commit_transactional("g", producer_a, {{{"orders", 0}, at(10)}, {{"orders", 1}, at(11)}}, [](error_code) {});
  log.complete();
  shard.complete_transaction(marker(producer_a, false), [](error_code) {});
  log.complete();
  BOOST_TEST(committed(shard, "orders", 0) == 1);
  BOOST_TEST(committed(shard, "orders", 1) == none);
  BOOST_TEST(!shard.has_pending("g", {"orders", 0}));
  BOOST_TEST(!shard.has_pending("g", {"orders", 1}));
  // A later COMMIT of the same producer has nothing left to make visible.
  shard.complete_transaction(marker(producer_a, true), [](error_code) {});
  log.complete();
  BOOST_TEST(committed(shard, "orders", 0) == 1);

  replayed back(log);
  same_state(shard, back.shard, {{"orders", 0}, {"orders", 1}});
}

BOOST_FIXTURE_TEST_CASE(a_plain_commit_written_after_the_transaction_wins, shard_fixture) {
  // Kafka keeps the most recent record: the transaction's offset for
  // orders-0 was written before the plain one, so its COMMIT leaves the
  // plain one; orders-1 had no later commit and takes the transaction's.
  shard.commit_transactional("g", producer_a, {{{"orders", 0}, at(10)}, {{"orders", 1}, at(11)}}, [](error_code) {});
  log.complete();
  shard.commit("g", {{{"orders", 0}, at(20)}}, [](error_code) {});
  log.complete();
  BOOST_TEST(committed(shard, "orders", 0) == 20);
  shard.complete_transaction(marker(producer_a, true), [](error_code) {});
  log.complete();
  BOOST_TEST(committed(shard, "orders", 0) == 20);
  BOOST_TEST(committed(shard, "orders", 1) == 11);

  replayed back(log);
  same_state(shard, back.shard, {{"orders", 0}, {"orders", 1}});
}

BOOST_FIXTURE_TEST_CASE(replay_of_the_log_equals_the_live_state, shard_fixture) {
  // Two producers' transactions interleaved with plain commits, one
  // committed, one aborted, a third left open; an OffsetDelete meanwhile.
  shard.commit("g", {{{"t", 0}, at(1)}, {{"t", 1}, at(1)}, {{"t", 2}, at(1)}}, [](error_code) {});
  shard.commit_transactional("g", producer_a, {{{"t", 0}, at(5)}, {{"t", 3}, at(5)}}, [](error_code) {});
  shard.commit_transactional("g", producer_b, {{{"t", 1}, at(6)}, {{"t", 2}, at(6)}}, [](error_code) {});
  log.complete();
  shard.delete_offsets("g", {{"t", 2}}, [](error_code) {});  // ends producer_b's pending t-2 as well
  shard.complete_transaction(marker(producer_b, true), [](error_code) {});
  shard.complete_transaction(marker(producer_a, false), [](error_code) {});
  shard.commit_transactional("g", producer_a, {{{"t", 4}, at(9)}}, [](error_code) {});
  log.complete();
  BOOST_TEST(committed(shard, "t", 0) == 1);  // aborted
  BOOST_TEST(committed(shard, "t", 1) == 6);  // committed
  BOOST_TEST(committed(shard, "t", 2) == none);      // deleted before the commit
  BOOST_TEST(committed(shard, "t", 3) == none);
  BOOST_TEST(committed(shard, "t", 4) == none);
  BOOST_TEST(pending_of(shard, producer_a, "t", 4) == 9);  // the open one

  replayed back(log);
  BOOST_TEST(back.next_offset == static_cast<std::int64_t>(3 + 2 + 2 + 1 + 1 + 1 + 1));
  same_state(shard, back.shard, {{"t", 0}, {"t", 1}, {"t", 2}, {"t", 3}, {"t", 4}});

  // The replayed shard carries on the same way: the open transaction commits.
  back.shard.complete_transaction(marker(producer_a, true), [](error_code) {});
  back.log.complete();
  BOOST_TEST(committed(back.shard, "t", 4) == 9);
}

BOOST_FIXTURE_TEST_CASE(a_failed_marker_write_changes_nothing, shard_fixture) {
  shard.commit_transactional("g", producer_a, {{{"orders", 0}, at(10)}}, [](error_code) {});
  log.complete();
  std::optional<error_code> ended;
  shard.complete_transaction(marker(producer_a, true), [&](error_code e) { ended = e; });
  log.complete(error_code::producer_fenced);
  BOOST_REQUIRE(ended);
  BOOST_TEST(code_of(*ended) == code_of(error_code::producer_fenced));
  BOOST_TEST(committed(shard, "orders", 0) == none);
  BOOST_TEST(pending_of(shard, producer_a, "orders", 0) == 10);  // the coordinator retries
}

BOOST_FIXTURE_TEST_CASE(a_failed_transactional_write_leaves_nothing_pending, shard_fixture) {
  std::optional<error_code> written;
  shard.commit_transactional("g", producer_a, {{{"orders", 0}, at(10)}}, [&](error_code e) { written = e; });
  log.complete(error_code::invalid_producer_epoch);
  BOOST_REQUIRE(written);
  BOOST_TEST(code_of(*written) == code_of(error_code::invalid_producer_epoch));  // the producer's error as it is
  BOOST_TEST(!shard.has_pending("g", {"orders", 0}));
  BOOST_TEST(!shard.exists("g"));

  // Records too large: UNKNOWN_SERVER_ERROR, as Kafka answers a TxnOffsetCommit.
  shard.commit_transactional("g", producer_a, {{{"orders", 0}, at(10)}}, [&](error_code e) { written = e; });
  log.complete(error_code::invalid_commit_offset_size);
  BOOST_TEST(code_of(*written) == code_of(error_code::unknown_server_error));
}

BOOST_FIXTURE_TEST_CASE(deleting_the_group_ends_its_pending_offsets, shard_fixture) {
  shard.commit("g", {{{"orders", 0}, at(1)}}, [](error_code) {});
  shard.commit_transactional("g", producer_a, {{{"orders", 0}, at(10)}, {{"orders", 1}, at(11)}}, [](error_code) {});
  log.complete();
  std::optional<error_code> deleted;
  shard.delete_group("g", [&](error_code e) { deleted = e; });
  // One tombstone per partition (orders-1 only pending), then the group's.
  BOOST_REQUIRE(log.pending.size() == 1u);
  const auto& records = log.pending[0].first.records;
  BOOST_TEST(records.size() == 3u);
  for (const auto& r : records) BOOST_TEST(!r.value);
  log.complete();
  BOOST_TEST(code_of(*deleted) == code_of(error_code::none));
  BOOST_TEST(!shard.exists("g"));
  BOOST_TEST(!shard.has_pending("g", {"orders", 1}));
  // The transaction commits after all: nothing of the deleted group comes back.
  shard.complete_transaction(marker(producer_a, true), [](error_code) {});
  log.complete();
  BOOST_TEST(!shard.offsets("g"));
  BOOST_TEST(!shard.exists("g"));

  replayed back(log);
  same_state(shard, back.shard, {{"orders", 0}, {"orders", 1}});
}

BOOST_FIXTURE_TEST_CASE(a_group_with_only_pending_offsets_exists, shard_fixture) {
  shard.commit_transactional("g", producer_a, {{{"orders", 0}, at(10)}}, [](error_code) {});
  log.complete();
  BOOST_TEST(shard.exists("g"));  // Kafka's simple group, made by the commit
  auto listed = shard.list();
  BOOST_REQUIRE(listed.size() == 1u);
  BOOST_TEST(listed[0].group_id == "g");
  BOOST_TEST(listed[0].state == "Empty");
  shard.complete_transaction(marker(producer_a, false), [](error_code) {});
  log.complete();
  BOOST_TEST(!shard.exists("g"));
}

BOOST_FIXTURE_TEST_CASE(retention_keeps_an_offset_a_transaction_is_replacing, shard_fixture) {
  options.offsets_retention = std::chrono::hours(1);
  offset_value old = at(1);
  old.commit_timestamp = 0;
  shard.commit("g", {{{"orders", 0}, old}, {{"orders", 1}, old}}, [](error_code) {});
  shard.commit_transactional("g", producer_a, {{{"orders", 0}, at(10)}}, [](error_code) {});
  log.complete();
  BOOST_TEST(shard.expire_offsets(0, topic_catalog{}) == 0u);  // the first check starts the clock
  BOOST_TEST(shard.expire_offsets(1700000000000, topic_catalog{}) == 1u);  // orders-1 only
  log.complete();
  BOOST_TEST(committed(shard, "orders", 0) == 1);
  BOOST_TEST(committed(shard, "orders", 1) == none);
}

BOOST_FIXTURE_TEST_CASE(the_committer_is_checked_as_kafka_does, shard_fixture) {
  // No group: generation -1 makes a simple group; a member of a group we
  // do not know is ILLEGAL_GENERATION.
  BOOST_TEST(code_of(shard.validate_txn_commit("g", "", std::nullopt, -1)) == code_of(error_code::none));
  BOOST_TEST(code_of(shard.validate_txn_commit("g", "m", std::nullopt, 1)) ==
             code_of(error_code::illegal_generation));

  // A classic group (v3+ names member, instance, generation).
  options.initial_rebalance_delay = std::chrono::milliseconds(0);
  const auto member = stable_classic_member(shard, log, "assignment");
  BOOST_TEST(code_of(shard.validate_txn_commit("g", member, std::nullopt, 1)) == code_of(error_code::none));
  BOOST_TEST(code_of(shard.validate_txn_commit("g", member, std::nullopt, 2)) ==
             code_of(error_code::illegal_generation));
  BOOST_TEST(code_of(shard.validate_txn_commit("g", "stranger", std::nullopt, 1)) ==
             code_of(error_code::unknown_member_id));
  // v0-2 name no member: accepted whatever the group's state.
  BOOST_TEST(code_of(shard.validate_txn_commit("g", "", std::nullopt, -1)) == code_of(error_code::none));
  // A rebalance under way does not refuse a transaction's commit (an
  // OffsetCommit gets REBALANCE_IN_PROGRESS there).
  shard.join_group("g", dynamic_join(), no_topics(), {}, [](join_result) {});
  log.complete_all();
  BOOST_TEST(code_of(shard.validate_txn_commit("g", member, std::nullopt, shard.classic("g")->generation())) ==
             code_of(error_code::none));
}

BOOST_FIXTURE_TEST_CASE(a_kip848_member_with_a_stale_epoch_is_illegal_generation, shard_fixture) {
  const auto topics = orders_catalog();
  std::optional<consumer_heartbeat_result> joined;
  shard.consumer_group_heartbeat("g", joining_member("a"), topics, {}, [&](consumer_heartbeat_result r) { joined = r; });
  log.complete();
  BOOST_REQUIRE(joined);
  const auto epoch = joined->member_epoch;
  BOOST_TEST(code_of(shard.validate_txn_commit("g", "a", std::nullopt, epoch)) == code_of(error_code::none));
  BOOST_TEST(code_of(shard.validate_txn_commit("g", "a", std::nullopt, epoch - 1)) ==
             code_of(error_code::illegal_generation));
  BOOST_TEST(code_of(shard.validate_txn_commit("g", "b", std::nullopt, epoch)) ==
             code_of(error_code::unknown_member_id));
  // v0-2 carry no member: a KIP-848 group with members does not know it.
  BOOST_TEST(code_of(shard.validate_txn_commit("g", "", std::nullopt, -1)) == code_of(error_code::unknown_member_id));
}

BOOST_FIXTURE_TEST_CASE(closing_the_shard_answers_a_marker_under_way, shard_fixture) {
  shard.commit_transactional("g", producer_a, {{{"orders", 0}, at(10)}}, [](error_code) {});
  log.complete();
  std::optional<error_code> ended;
  shard.complete_transaction(marker(producer_a, true), [&](error_code e) { ended = e; });
  shard.close();
  BOOST_REQUIRE(ended);
  BOOST_TEST(code_of(*ended) == code_of(error_code::not_coordinator));
  log.complete();  // the write lands after all: the closed shard applies nothing
  BOOST_TEST(committed(shard, "orders", 0) == none);
}

BOOST_AUTO_TEST_SUITE_END()
