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

constexpr auto tv0 = txn_version::tv0;

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
  BOOST_TEST(as_int(decide_add_partitions(nullptr, {7, 3}, ps, tv0, now).error) ==
             as_int(error_code::invalid_producer_id_mapping));
  BOOST_TEST(as_int(decide_add_partitions(&cur, {8, 3}, ps, tv0, now).error) ==
             as_int(error_code::invalid_producer_id_mapping));
  BOOST_TEST(as_int(decide_add_partitions(&cur, {7, 2}, ps, tv0, now).error) == as_int(error_code::producer_fenced));
  BOOST_TEST(as_int(decide_add_partitions(&cur, {7, 4}, ps, tv0, now).error) == as_int(error_code::producer_fenced));

  auto d = decide_add_partitions(&cur, {7, 3}, ps, tv0, now);
  BOOST_REQUIRE(d.next);
  BOOST_TEST((d.next->state == txn_state::ongoing));
  BOOST_TEST(d.next->start_timestamp == now);
  BOOST_TEST((d.next->partitions == ps));

  auto ongoing = *d.next;
  d = decide_add_partitions(&ongoing, {7, 3}, {{"x", 0}}, tv0, now + 50);
  BOOST_TEST(as_int(d.error) == 0);
  BOOST_TEST(!d.next);  // already in: nothing to write
  d = decide_add_partitions(&ongoing, {7, 3}, {{"y", 2}}, tv0, now + 50);
  BOOST_REQUIRE(d.next);
  BOOST_TEST(d.next->partitions.size() == 2u);
  BOOST_TEST(d.next->start_timestamp == now);  // the transaction began earlier
  BOOST_TEST(d.next->last_update_timestamp == now + 50);

  for (auto s : {txn_state::prepare_commit, txn_state::prepare_abort}) {
    auto p = with(s);
    BOOST_TEST(as_int(decide_add_partitions(&p, {7, 3}, ps, tv0, now).error) ==
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
  auto d = decide_end_txn(&cur, {7, 3}, true, tv0, std::nullopt, now);
  BOOST_REQUIRE(d.next);
  BOOST_TEST((d.next->state == txn_state::prepare_commit));
  BOOST_TEST(d.next->producer_epoch == 3);
  BOOST_TEST((d.next->partitions == cur.partitions));
  d = decide_end_txn(&cur, {7, 3}, false, tv0, std::nullopt, now);
  BOOST_REQUIRE(d.next);
  BOOST_TEST((d.next->state == txn_state::prepare_abort));

  BOOST_TEST(as_int(decide_end_txn(nullptr, {7, 3}, true, tv0, std::nullopt, now).error) ==
             as_int(error_code::invalid_producer_id_mapping));
  BOOST_TEST(as_int(decide_end_txn(&cur, {9, 3}, true, tv0, std::nullopt, now).error) == as_int(error_code::invalid_producer_id_mapping));
  BOOST_TEST(as_int(decide_end_txn(&cur, {7, 2}, true, tv0, std::nullopt, now).error) == as_int(error_code::producer_fenced));

  auto empty = with(txn_state::empty);
  BOOST_TEST(as_int(decide_end_txn(&empty, {7, 3}, true, tv0, std::nullopt, now).error) == as_int(error_code::invalid_txn_state));

  auto cc = with(txn_state::complete_commit);
  d = decide_end_txn(&cc, {7, 3}, true, tv0, std::nullopt, now);
  BOOST_TEST(as_int(d.error) == 0);
  BOOST_TEST(!d.next);
  BOOST_TEST(as_int(decide_end_txn(&cc, {7, 3}, false, tv0, std::nullopt, now).error) == as_int(error_code::invalid_txn_state));
  auto ca = with(txn_state::complete_abort);
  BOOST_TEST(as_int(decide_end_txn(&ca, {7, 3}, false, tv0, std::nullopt, now).error) == 0);
  BOOST_TEST(as_int(decide_end_txn(&ca, {7, 3}, true, tv0, std::nullopt, now).error) == as_int(error_code::invalid_txn_state));
  auto pc = with(txn_state::prepare_commit);
  BOOST_TEST(as_int(decide_end_txn(&pc, {7, 3}, true, tv0, std::nullopt, now).error) == as_int(error_code::concurrent_transactions));
  BOOST_TEST(as_int(decide_end_txn(&pc, {7, 3}, false, tv0, std::nullopt, now).error) == as_int(error_code::invalid_txn_state));
  auto pa = with(txn_state::prepare_abort);
  BOOST_TEST(as_int(decide_end_txn(&pa, {7, 3}, false, tv0, std::nullopt, now).error) == as_int(error_code::concurrent_transactions));
  BOOST_TEST(as_int(decide_end_txn(&pa, {7, 3}, true, tv0, std::nullopt, now).error) == as_int(error_code::invalid_txn_state));
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

// Transaction version 2 (KIP-890 part 2).

BOOST_AUTO_TEST_CASE(tv2_a_leaders_add_starts_a_transaction_implicitly_and_records_the_version) {
  std::set<txn_partition> ps{{"x", 0}};
  for (auto s : {txn_state::empty, txn_state::complete_commit, txn_state::complete_abort}) {
    auto cur = with(s);
    auto d = decide_add_partitions(&cur, {7, 3}, ps, txn_version::tv2, now);
    BOOST_REQUIRE(d.next);
    BOOST_TEST((d.next->state == txn_state::ongoing));
    BOOST_TEST(d.next->start_timestamp == now);
    BOOST_TEST((d.next->partitions == ps));
    BOOST_TEST(d.next->producer_epoch == 3);  // adding never bumps
    BOOST_TEST((d.next->client_version == txn_version::tv2));
    BOOST_TEST(d.next->previous_producer_id == 7);  // Kafka: every change names the id it came from
  }
  // Ongoing: extended; the version of the request that moved it is recorded.
  auto ongoing = with(txn_state::ongoing);
  auto d = decide_add_partitions(&ongoing, {7, 3}, ps, txn_version::tv2, now);
  BOOST_REQUIRE(d.next);
  BOOST_TEST(d.next->partitions.size() == 3u);
  BOOST_TEST(d.next->start_timestamp == ongoing.start_timestamp);
  BOOST_TEST((d.next->client_version == txn_version::tv2));
  // While the markers are written: CONCURRENT_TRANSACTIONS; another epoch: fenced.
  for (auto s : {txn_state::prepare_commit, txn_state::prepare_abort}) {
    auto p = with(s);
    BOOST_TEST(as_int(decide_add_partitions(&p, {7, 3}, ps, txn_version::tv2, now).error) ==
               as_int(error_code::concurrent_transactions));
  }
  BOOST_TEST(as_int(decide_add_partitions(&ongoing, {7, 2}, ps, txn_version::tv2, now).error) ==
             as_int(error_code::producer_fenced));
}

BOOST_AUTO_TEST_CASE(tv2_end_txn_bumps_the_epoch_and_answers_it) {
  auto cur = with(txn_state::ongoing);
  cur.client_version = txn_version::tv2;
  cur.last_producer_epoch = 1;
  for (bool commit : {true, false}) {
    auto d = decide_end_txn(&cur, {7, 3}, commit, txn_version::tv2, std::nullopt, now);
    BOOST_TEST(as_int(d.error) == 0);
    BOOST_TEST(!d.needs_producer_id);
    BOOST_REQUIRE(d.next);
    BOOST_TEST((d.next->state == (commit ? txn_state::prepare_commit : txn_state::prepare_abort)));
    BOOST_TEST(d.next->producer_id == 7);
    BOOST_TEST(d.next->producer_epoch == 4);  // the markers carry the bumped epoch
    BOOST_TEST(d.next->last_producer_epoch == 3);
    BOOST_TEST(d.next->next_producer_id == -1);
    BOOST_TEST((d.next->partitions == cur.partitions));
    BOOST_TEST(d.next->start_timestamp == cur.start_timestamp);
    BOOST_TEST((d.next->client_version == txn_version::tv2));
    BOOST_TEST(d.answer.producer_id == 7);
    BOOST_TEST(d.answer.epoch == 4);
    auto c = complete(*d.next, now + 1);
    BOOST_TEST(c.producer_id == 7);
    BOOST_TEST(c.producer_epoch == 4);
    BOOST_TEST(c.last_producer_epoch == 3);
    BOOST_TEST(c.partitions.empty());
  }
  // A transaction version 2 started, ended by EndTxn v0-4: no bump, version 0 recorded.
  auto d = decide_end_txn(&cur, {7, 3}, true, tv0, std::nullopt, now);
  BOOST_REQUIRE(d.next);
  BOOST_TEST(d.next->producer_epoch == 3);
  BOOST_TEST(d.next->last_producer_epoch == 1);
  BOOST_TEST((d.next->client_version == txn_version::tv0));
  BOOST_TEST(d.answer.producer_id == -1);  // TV1 answers no producer
  BOOST_TEST(complete(*d.next, now).producer_epoch == 3);
}

BOOST_AUTO_TEST_CASE(tv2_end_txn_at_the_last_epoch_moves_to_a_new_producer_id) {
  auto cur = with(txn_state::ongoing, 7, max_handed_out_epoch);
  auto d = decide_end_txn(&cur, {7, max_handed_out_epoch}, true, txn_version::tv2, std::nullopt, now);
  BOOST_TEST(d.needs_producer_id);
  BOOST_TEST(!d.next);
  d = decide_end_txn(&cur, {7, max_handed_out_epoch}, true, txn_version::tv2, 99, now);
  BOOST_REQUIRE(d.next);
  // Prepare* keeps the old id at the very last epoch (the markers' producer) and names the next id.
  BOOST_TEST(d.next->producer_id == 7);
  BOOST_TEST(d.next->producer_epoch == 0x7fff);
  BOOST_TEST(d.next->next_producer_id == 99);
  BOOST_TEST(d.answer.producer_id == 99);
  BOOST_TEST(d.answer.epoch == 0);
  // Complete* moves to it at epoch 0 and remembers the old one.
  auto done = complete(*d.next, now + 1);
  BOOST_TEST((done.state == txn_state::complete_commit));
  BOOST_TEST(done.producer_id == 99);
  BOOST_TEST(done.producer_epoch == 0);
  BOOST_TEST(done.previous_producer_id == 7);
  BOOST_TEST(done.next_producer_id == -1);
  BOOST_TEST(done.last_producer_epoch == max_handed_out_epoch);
  // The client's retry names the old id and its epoch: success with the new ones, nothing written.
  auto r = decide_end_txn(&done, {7, max_handed_out_epoch}, true, txn_version::tv2, std::nullopt, now + 2);
  BOOST_TEST(as_int(r.error) == 0);
  BOOST_TEST(!r.next);
  BOOST_TEST(r.answer.producer_id == 99);
  BOOST_TEST(r.answer.epoch == 0);
  BOOST_TEST(as_int(decide_end_txn(&done, {7, max_handed_out_epoch}, false, txn_version::tv2, std::nullopt, now).error) ==
             as_int(error_code::invalid_txn_state));
  // The old id at another epoch is not the retry.
  BOOST_TEST(as_int(decide_end_txn(&done, {7, 5}, true, txn_version::tv2, std::nullopt, now).error) ==
             as_int(error_code::invalid_producer_id_mapping));
  // Retried while the markers are written: the old id is still the current one.
  BOOST_TEST(as_int(decide_end_txn(&*d.next, {7, max_handed_out_epoch}, true, txn_version::tv2, std::nullopt, now)
                        .error) == as_int(error_code::concurrent_transactions));
  // A TV1 end at the last epoch never rotates.
  auto v1 = decide_end_txn(&cur, {7, max_handed_out_epoch}, true, tv0, std::nullopt, now);
  BOOST_REQUIRE(v1.next);
  BOOST_TEST(complete(*v1.next, now).producer_id == 7);
}

BOOST_AUTO_TEST_CASE(tv2_end_txn_tells_retries_from_the_next_transactions_end) {
  auto err = [](const transaction_metadata& m, std::int16_t epoch, bool commit) {
    return as_int(decide_end_txn(&m, {7, epoch}, commit, txn_version::tv2, std::nullopt, now).error);
  };
  const int none = 0;
  const int fenced = as_int(error_code::producer_fenced);
  const int its = as_int(error_code::invalid_txn_state);
  const int concurrent = as_int(error_code::concurrent_transactions);
  // Kafka's table: the state after a TV2 end at epoch 3 holds epoch 4.
  auto cc = with(txn_state::complete_commit, 7, 4);
  BOOST_TEST(err(cc, 3, true) == none);  // retry of the commit
  BOOST_TEST(err(cc, 3, false) == its);
  BOOST_TEST(err(cc, 4, true) == its);   // a commit without a transaction
  BOOST_TEST(err(cc, 2, true) == fenced);
  BOOST_TEST(err(cc, 5, true) == fenced);
  auto ca = with(txn_state::complete_abort, 7, 4);
  BOOST_TEST(err(ca, 3, false) == none);  // retry of the abort
  BOOST_TEST(err(ca, 3, true) == its);
  BOOST_TEST(err(ca, 4, true) == its);
  auto pc = with(txn_state::prepare_commit, 7, 4);
  BOOST_TEST(err(pc, 3, true) == concurrent);
  BOOST_TEST(err(pc, 3, false) == its);
  BOOST_TEST(err(pc, 4, true) == fenced);  // the current epoch is not a retry of a prepared end
  auto pa = with(txn_state::prepare_abort, 7, 4);
  BOOST_TEST(err(pa, 3, false) == concurrent);
  BOOST_TEST(err(pa, 3, true) == its);
  auto empty = with(txn_state::empty, 7, 4);
  BOOST_TEST(err(empty, 4, true) == its);
  BOOST_TEST(err(empty, 3, false) == fenced);
  BOOST_TEST(err(empty, 3, true) == fenced);
  auto ongoing = with(txn_state::ongoing, 7, 4);
  BOOST_TEST(err(ongoing, 3, true) == fenced);
  BOOST_TEST(err(ongoing, 5, true) == fenced);
  BOOST_TEST(as_int(decide_end_txn(&ongoing, {8, 4}, true, txn_version::tv2, std::nullopt, now).error) ==
             as_int(error_code::invalid_producer_id_mapping));
  BOOST_TEST(as_int(decide_end_txn(nullptr, {7, 4}, true, txn_version::tv2, std::nullopt, now).error) ==
             as_int(error_code::invalid_producer_id_mapping));

  // An abort at the current epoch with no transaction open bumps, with no
  // partitions, and counts as starting now.
  for (const auto& m : {cc, ca, empty}) {
    auto d = decide_end_txn(&m, {7, 4}, false, txn_version::tv2, std::nullopt, now);
    BOOST_REQUIRE(d.next);
    BOOST_TEST((d.next->state == txn_state::prepare_abort));
    BOOST_TEST(d.next->producer_epoch == 5);
    BOOST_TEST(d.next->partitions.empty());
    BOOST_TEST(d.next->start_timestamp == now);
    BOOST_TEST(d.answer.epoch == 5);
  }
}

BOOST_AUTO_TEST_CASE(tv2_an_old_epoch_is_fenced_after_a_tv2_commit) {
  auto ongoing = with(txn_state::ongoing);
  ongoing.client_version = txn_version::tv2;
  auto prepared = *decide_end_txn(&ongoing, {7, 3}, true, txn_version::tv2, std::nullopt, now).next;
  auto done = complete(prepared, now + 1);  // epoch 4
  const std::set<txn_partition> ps{{"a", 0}};
  // A late add, a verification or a TV1 end at the old epoch: fenced.
  BOOST_TEST(as_int(decide_add_partitions(&done, {7, 3}, ps, txn_version::tv2, now).error) ==
             as_int(error_code::producer_fenced));
  BOOST_TEST(as_int(decide_verify_partitions(&done, 7, 3, ps).partitions.at({"a", 0})) ==
             as_int(error_code::producer_fenced));
  BOOST_TEST(as_int(decide_end_txn(&done, {7, 3}, true, tv0, std::nullopt, now).error) ==
             as_int(error_code::producer_fenced));
  BOOST_TEST(as_int(decide_end_txn(&done, {7, 2}, false, txn_version::tv2, std::nullopt, now).error) ==
             as_int(error_code::producer_fenced));
  // The producer's next transaction, at the answered epoch, opens.
  auto next = decide_add_partitions(&done, {7, 4}, ps, txn_version::tv2, now + 2);
  BOOST_REQUIRE(next.next);
  BOOST_TEST((next.next->state == txn_state::ongoing));
}

BOOST_AUTO_TEST_CASE(tv2_the_coordinators_abort_fences_then_bumps_again) {
  auto cur = with(txn_state::ongoing);
  cur.client_version = txn_version::tv2;
  auto a = fence_and_abort(cur, now);
  BOOST_TEST((a.state == txn_state::prepare_abort));
  BOOST_TEST(a.producer_epoch == 5);  // Kafka: the fence's bump, then the end's
  BOOST_TEST(a.last_producer_epoch == 4);
  BOOST_TEST(a.next_producer_id == -1);
  BOOST_TEST((a.client_version == txn_version::tv2));
  BOOST_TEST(complete(a, now).producer_epoch == 5);
  // From the last handed-out epoch the abort stays at the very last one, no rotation.
  auto last = with(txn_state::ongoing, 7, max_handed_out_epoch);
  last.client_version = txn_version::tv2;
  a = fence_and_abort(last, now);
  BOOST_TEST(a.producer_epoch == 0x7fff);
  BOOST_TEST(complete(a, now).producer_id == 7);
  // Transaction version 0/1: one bump, no last epoch.
  cur.client_version = txn_version::tv0;
  a = fence_and_abort(cur, now);
  BOOST_TEST(a.producer_epoch == 4);
  BOOST_TEST(a.last_producer_epoch == -1);
}

BOOST_AUTO_TEST_CASE(transaction_versions_read_from_records) {
  BOOST_TEST((txn_version_of(0) == txn_version::tv0));
  BOOST_TEST((txn_version_of(2) == txn_version::tv2));
  BOOST_TEST(!txn_version_of(3));
  BOOST_TEST(!supports_epoch_bump(txn_version::tv1));
  BOOST_TEST(supports_epoch_bump(txn_version::tv2));
}

BOOST_AUTO_TEST_SUITE_END()
