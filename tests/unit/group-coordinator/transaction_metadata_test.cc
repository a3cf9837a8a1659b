// Kafka's transaction state machine as a value: each rule's answer and the
// state it would write, for every state a request can meet.
#include <boost/test/unit_test.hpp>

#include "services/group-coordinator/txn/transaction_metadata.h"

using namespace sluice::group_coordinator::txn;

namespace {

constexpr std::int64_t now = 1'000'000;

transaction_metadata with(txn_state s, std::int64_t pid = 7, std::int16_t epoch = 3) {
  transaction_metadata m;
  m.transactional_id = "t";
  m.producer_id = pid;
  m.producer_epoch = epoch;
  m.timeout_ms = 60000;
  m.state = s;
  m.last_update_timestamp = now - 10;
  if (s == txn_state::ongoing || preparing(s)) {
    m.partitions = {{"a", 0}, {"b", 1}};
    m.start_timestamp = now - 100;
  }
  return m;
}

int as_int(error_code e) { return static_cast<int>(e); }

}  // namespace

BOOST_AUTO_TEST_SUITE(transaction_metadata_rules)

BOOST_AUTO_TEST_CASE(state_names_and_ids_are_kafkas) {
  BOOST_TEST(name_of(txn_state::prepare_commit) == "PrepareCommit");
  BOOST_TEST(name_of(txn_state::prepare_epoch_fence) == "PrepareEpochFence");
  BOOST_TEST((state_named("CompleteAbort") == txn_state::complete_abort));
  BOOST_TEST(!state_named("completeabort"));
  BOOST_TEST((state_of_id(1) == txn_state::ongoing));
  BOOST_TEST(!state_of_id(8));
  BOOST_TEST(!state_of_id(-1));
}

BOOST_AUTO_TEST_CASE(timeouts_are_bounded_by_the_maximum) {
  BOOST_TEST(valid_timeout(60000, default_max_timeout_ms));
  BOOST_TEST(valid_timeout(900000, default_max_timeout_ms));
  BOOST_TEST(!valid_timeout(900001, default_max_timeout_ms));
  BOOST_TEST(!valid_timeout(0, default_max_timeout_ms));
  BOOST_TEST(!valid_timeout(-1, default_max_timeout_ms));
}

BOOST_AUTO_TEST_CASE(a_new_id_needs_a_producer_id_then_starts_at_epoch_zero) {
  auto d = decide_init_producer_id(nullptr, "t", 5000, std::nullopt, std::nullopt, now);
  BOOST_TEST(d.needs_producer_id);
  BOOST_TEST(!d.next);
  d = decide_init_producer_id(nullptr, "t", 5000, std::nullopt, 42, now);
  BOOST_REQUIRE(d.next);
  BOOST_TEST(d.next->transactional_id == "t");
  BOOST_TEST(d.next->producer_id == 42);
  BOOST_TEST(d.next->producer_epoch == 0);
  BOOST_TEST(d.next->last_producer_epoch == -1);
  BOOST_TEST(d.next->timeout_ms == 5000);
  BOOST_TEST((d.next->state == txn_state::empty));
  BOOST_TEST(d.next->start_timestamp == -1);
  BOOST_TEST(d.next->last_update_timestamp == now);
  BOOST_TEST(!d.fences);
}

BOOST_AUTO_TEST_CASE(a_new_producer_instance_bumps_the_epoch_and_forgets_the_last) {
  for (auto s : {txn_state::empty, txn_state::complete_commit, txn_state::complete_abort}) {
    auto cur = with(s);
    cur.partitions.clear();
    cur.last_producer_epoch = 2;
    auto d = decide_init_producer_id(&cur, "t", 9000, std::nullopt, std::nullopt, now);
    BOOST_REQUIRE(d.next);
    BOOST_TEST(d.next->producer_id == 7);
    BOOST_TEST(d.next->producer_epoch == 4);
    BOOST_TEST(d.next->last_producer_epoch == -1);
    BOOST_TEST(d.next->timeout_ms == 9000);
    BOOST_TEST((d.next->state == txn_state::empty));
    BOOST_TEST(d.next->partitions.empty());
  }
}

BOOST_AUTO_TEST_CASE(kip360_the_current_producer_bumps_a_retry_gets_the_same_epoch_a_zombie_is_fenced) {
  auto cur = with(txn_state::complete_abort);
  cur.last_producer_epoch = 2;
  // The current producer after an error: bump, remembering its epoch.
  auto d = decide_init_producer_id(&cur, "t", 5000, producer_id_and_epoch{7, 3}, std::nullopt, now);
  BOOST_REQUIRE(d.next);
  BOOST_TEST(d.next->producer_epoch == 4);
  BOOST_TEST(d.next->last_producer_epoch == 3);
  // Its retry after the bump succeeded (it names the epoch it had): the same epoch.
  auto bumped = *d.next;
  d = decide_init_producer_id(&bumped, "t", 5000, producer_id_and_epoch{7, 3}, std::nullopt, now);
  BOOST_REQUIRE(d.next);
  BOOST_TEST(d.next->producer_epoch == 4);
  BOOST_TEST(d.next->last_producer_epoch == 3);
  // An older epoch: fenced.
  d = decide_init_producer_id(&bumped, "t", 5000, producer_id_and_epoch{7, 1}, std::nullopt, now);
  BOOST_TEST(as_int(d.error) == as_int(error_code::producer_fenced));
  BOOST_TEST(!d.next);
  // Another producer id: fenced.
  d = decide_init_producer_id(&bumped, "t", 5000, producer_id_and_epoch{8, 4}, std::nullopt, now);
  BOOST_TEST(as_int(d.error) == as_int(error_code::producer_fenced));
}

BOOST_AUTO_TEST_CASE(an_exhausted_epoch_rotates_the_producer_id) {
  auto cur = with(txn_state::complete_commit, 7, max_handed_out_epoch);
  auto d = decide_init_producer_id(&cur, "t", 5000, std::nullopt, std::nullopt, now);
  BOOST_TEST(d.needs_producer_id);
  d = decide_init_producer_id(&cur, "t", 5000, std::nullopt, 99, now);
  BOOST_REQUIRE(d.next);
  BOOST_TEST(d.next->producer_id == 99);
  BOOST_TEST(d.next->producer_epoch == 0);
  BOOST_TEST(d.next->previous_producer_id == 7);
  BOOST_TEST(d.next->last_producer_epoch == -1);
  // With the producer's own epoch named, the rotation records it as the last epoch...
  d = decide_init_producer_id(&cur, "t", 5000, producer_id_and_epoch{7, max_handed_out_epoch}, 100, now);
  BOOST_REQUIRE(d.next);
  BOOST_TEST(d.next->producer_id == 100);
  BOOST_TEST(d.next->previous_producer_id == 7);
  BOOST_TEST(d.next->last_producer_epoch == max_handed_out_epoch);
  // ...so its retry (the old id, the exhausted epoch) gets the new id back, not a fence.
  auto rotated = *d.next;
  d = decide_init_producer_id(&rotated, "t", 5000, producer_id_and_epoch{7, max_handed_out_epoch}, std::nullopt, now);
  BOOST_REQUIRE(d.next);
  BOOST_TEST(d.next->producer_id == 100);
  BOOST_TEST(d.next->producer_epoch == 0);
  // Without it, the old id is a zombie.
  d = decide_init_producer_id(&rotated, "t", 5000, producer_id_and_epoch{7, 5}, std::nullopt, now);
  BOOST_TEST(as_int(d.error) == as_int(error_code::producer_fenced));
}

BOOST_AUTO_TEST_CASE(init_while_markers_are_written_is_concurrent_transactions) {
  for (auto s : {txn_state::prepare_commit, txn_state::prepare_abort}) {
    auto cur = with(s);
    auto d = decide_init_producer_id(&cur, "t", 5000, std::nullopt, std::nullopt, now);
    BOOST_TEST(as_int(d.error) == as_int(error_code::concurrent_transactions));
    BOOST_TEST(!d.next);
  }
}

BOOST_AUTO_TEST_CASE(init_with_an_open_transaction_fences_and_aborts_it) {
  auto cur = with(txn_state::ongoing);
  cur.last_producer_epoch = 2;
  auto d = decide_init_producer_id(&cur, "t", 5000, std::nullopt, std::nullopt, now);
  BOOST_TEST(d.fences);
  BOOST_REQUIRE(d.next);
  BOOST_TEST((d.next->state == txn_state::prepare_abort));
  BOOST_TEST(d.next->producer_epoch == 4);
  BOOST_TEST(d.next->last_producer_epoch == -1);
  BOOST_TEST((d.next->partitions == cur.partitions));
  BOOST_TEST(d.next->timeout_ms == cur.timeout_ms);  // the transaction's own, not the new request's
  BOOST_TEST(d.next->start_timestamp == cur.start_timestamp);
}

BOOST_AUTO_TEST_CASE(add_partitions_checks_the_producer_then_opens_or_extends_the_transaction) {
  auto cur = with(txn_state::complete_commit);
  cur.partitions.clear();
  std::set<txn_partition> ps{{"x", 0}};
  BOOST_TEST(as_int(decide_add_partitions(nullptr, 7, 3, ps, now).error) ==
             as_int(error_code::invalid_producer_id_mapping));
  BOOST_TEST(as_int(decide_add_partitions(&cur, 8, 3, ps, now).error) ==
             as_int(error_code::invalid_producer_id_mapping));
  BOOST_TEST(as_int(decide_add_partitions(&cur, 7, 2, ps, now).error) == as_int(error_code::producer_fenced));
  BOOST_TEST(as_int(decide_add_partitions(&cur, 7, 4, ps, now).error) == as_int(error_code::producer_fenced));

  auto d = decide_add_partitions(&cur, 7, 3, ps, now);
  BOOST_REQUIRE(d.next);
  BOOST_TEST((d.next->state == txn_state::ongoing));
  BOOST_TEST(d.next->start_timestamp == now);
  BOOST_TEST((d.next->partitions == ps));

  auto ongoing = *d.next;
  d = decide_add_partitions(&ongoing, 7, 3, {{"x", 0}}, now + 50);
  BOOST_TEST(as_int(d.error) == 0);
  BOOST_TEST(!d.next);  // already in: nothing to write
  d = decide_add_partitions(&ongoing, 7, 3, {{"y", 2}}, now + 50);
  BOOST_REQUIRE(d.next);
  BOOST_TEST(d.next->partitions.size() == 2u);
  BOOST_TEST(d.next->start_timestamp == now);  // the transaction began earlier
  BOOST_TEST(d.next->last_update_timestamp == now + 50);

  for (auto s : {txn_state::prepare_commit, txn_state::prepare_abort}) {
    auto p = with(s);
    BOOST_TEST(as_int(decide_add_partitions(&p, 7, 3, ps, now).error) ==
               as_int(error_code::concurrent_transactions));
  }
}

BOOST_AUTO_TEST_CASE(verification_answers_per_partition_from_the_state) {
  auto cur = with(txn_state::ongoing);
  auto d = decide_verify_partitions(&cur, 7, 3, {{"a", 0}, {"z", 9}});
  BOOST_TEST(as_int(d.error) == 0);
  BOOST_TEST(as_int(d.partitions.at({"a", 0})) == 0);
  BOOST_TEST(as_int(d.partitions.at({"z", 9})) == as_int(error_code::transaction_abortable));
  d = decide_verify_partitions(&cur, 7, 2, {{"a", 0}});
  BOOST_TEST(as_int(d.partitions.at({"a", 0})) == as_int(error_code::producer_fenced));
  d = decide_verify_partitions(nullptr, 7, 3, {{"a", 0}});
  BOOST_TEST(as_int(d.partitions.at({"a", 0})) == as_int(error_code::invalid_producer_id_mapping));
  auto p = with(txn_state::prepare_commit);
  d = decide_verify_partitions(&p, 7, 3, {{"a", 0}});
  BOOST_TEST(as_int(d.partitions.at({"a", 0})) == as_int(error_code::concurrent_transactions));
}

BOOST_AUTO_TEST_CASE(end_txn_prepares_from_ongoing_and_answers_retries) {
  auto cur = with(txn_state::ongoing);
  auto d = decide_end_txn(&cur, 7, 3, true, now);
  BOOST_REQUIRE(d.next);
  BOOST_TEST((d.next->state == txn_state::prepare_commit));
  BOOST_TEST(d.next->producer_epoch == 3);
  BOOST_TEST((d.next->partitions == cur.partitions));
  d = decide_end_txn(&cur, 7, 3, false, now);
  BOOST_REQUIRE(d.next);
  BOOST_TEST((d.next->state == txn_state::prepare_abort));

  BOOST_TEST(as_int(decide_end_txn(nullptr, 7, 3, true, now).error) ==
             as_int(error_code::invalid_producer_id_mapping));
  BOOST_TEST(as_int(decide_end_txn(&cur, 9, 3, true, now).error) == as_int(error_code::invalid_producer_id_mapping));
  BOOST_TEST(as_int(decide_end_txn(&cur, 7, 2, true, now).error) == as_int(error_code::producer_fenced));

  auto empty = with(txn_state::empty);
  BOOST_TEST(as_int(decide_end_txn(&empty, 7, 3, true, now).error) == as_int(error_code::invalid_txn_state));

  auto cc = with(txn_state::complete_commit);
  d = decide_end_txn(&cc, 7, 3, true, now);
  BOOST_TEST(as_int(d.error) == 0);
  BOOST_TEST(!d.next);
  BOOST_TEST(as_int(decide_end_txn(&cc, 7, 3, false, now).error) == as_int(error_code::invalid_txn_state));
  auto ca = with(txn_state::complete_abort);
  BOOST_TEST(as_int(decide_end_txn(&ca, 7, 3, false, now).error) == 0);
  BOOST_TEST(as_int(decide_end_txn(&ca, 7, 3, true, now).error) == as_int(error_code::invalid_txn_state));
  auto pc = with(txn_state::prepare_commit);
  BOOST_TEST(as_int(decide_end_txn(&pc, 7, 3, true, now).error) == as_int(error_code::concurrent_transactions));
  BOOST_TEST(as_int(decide_end_txn(&pc, 7, 3, false, now).error) == as_int(error_code::invalid_txn_state));
  auto pa = with(txn_state::prepare_abort);
  BOOST_TEST(as_int(decide_end_txn(&pa, 7, 3, false, now).error) == as_int(error_code::concurrent_transactions));
  BOOST_TEST(as_int(decide_end_txn(&pa, 7, 3, true, now).error) == as_int(error_code::invalid_txn_state));
}

BOOST_AUTO_TEST_CASE(completion_clears_the_partitions_and_keeps_the_epoch) {
  auto pc = with(txn_state::prepare_commit);
  auto c = complete(pc, now + 5);
  BOOST_TEST((c.state == txn_state::complete_commit));
  BOOST_TEST(c.partitions.empty());
  BOOST_TEST(c.producer_epoch == 3);
  BOOST_TEST(c.start_timestamp == pc.start_timestamp);
  BOOST_TEST(c.last_update_timestamp == now + 5);
  BOOST_TEST((complete(with(txn_state::prepare_abort), now).state == txn_state::complete_abort));
}

BOOST_AUTO_TEST_CASE(timeouts_and_expiry) {
  auto o = with(txn_state::ongoing);  // started at now - 100, timeout 60 s
  BOOST_TEST(!timed_out(o, now));
  BOOST_TEST(!timed_out(o, now - 100 + 60000));
  BOOST_TEST(timed_out(o, now - 100 + 60001));
  BOOST_TEST(!timed_out(with(txn_state::prepare_abort), now + 10'000'000));

  const std::int64_t week = 7LL * 24 * 3600 * 1000;
  for (auto s : {txn_state::empty, txn_state::complete_commit, txn_state::complete_abort}) {
    auto m = with(s);
    BOOST_TEST(!expired(m, m.last_update_timestamp + week - 1, week));
    BOOST_TEST(expired(m, m.last_update_timestamp + week, week));
  }
  for (auto s : {txn_state::ongoing, txn_state::prepare_commit, txn_state::prepare_abort})
    BOOST_TEST(!expired(with(s), now + 100 * week, week));
}

BOOST_AUTO_TEST_SUITE_END()
