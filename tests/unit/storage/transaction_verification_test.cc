// producer_state's transaction verification (KIP-890 part 1): the guard a
// leader creates before asking the transaction coordinator, the append that
// must present it to open a transaction, and what drops it (the transaction
// opening, a marker, expiry); and markers of transaction version 2, whose
// epoch is one above the producer's.
#include <boost/test/unit_test.hpp>

#include "services/partition-server/storage/producer_state.h"
#include "tests/unit/storage/producer_batches.h"

using namespace sluice;
using namespace sluice::storage;
using namespace sluice::storage::test;
using protocol::append_errc;

namespace {

constexpr std::int64_t pid = 1000;

/// A leader's producer state: each append checked as a client's (with
/// verification required unless said otherwise), then observed at the next
/// offset.
struct verifying_leader {
  producer_state state;
  std::int64_t next = 0;

  std::vector<std::byte> bytes(producer_batch_spec spec) {
    spec.base_offset = next;
    return producer_batch_bytes(spec);
  }
  verification_start begin(producer_batch_spec spec, std::int64_t now_ms = 0, bool tv2 = false) {
    return state.begin_verification(bytes(spec), now_ms, tv2);
  }
  produce_check append(producer_batch_spec spec, verification_guard guard,
                       append_origin origin = append_origin::client) {
    auto b = bytes(spec);
    auto check = state.check_produce(b, origin, {.required = true, .guard = guard});
    if (check.verdict && !check.duplicate) {
      state.observe(b);
      next += spec.records;
    }
    return check;
  }
  void mark(std::int16_t epoch, bool commit) {
    state.observe(marker_bytes(pid, epoch, commit, 0, next));
    ++next;
  }
  /// begin + append with the guard: the coordinator said yes.
  produce_check verified(producer_batch_spec spec) {
    auto start = begin(spec);
    BOOST_REQUIRE(!!start.verdict);
    return append(spec, start.pending ? start.pending->guard : no_verification_guard);
  }
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(transaction_verification, verifying_leader)

BOOST_AUTO_TEST_CASE(a_batch_opening_a_transaction_needs_the_producers_guard) {
  auto start = begin({.sequence = 0, .transactional = true}, 50);
  BOOST_REQUIRE(!!start.verdict);
  BOOST_REQUIRE(start.pending.has_value());
  BOOST_TEST(start.producer_id == pid);
  BOOST_TEST(start.pending->guard != no_verification_guard);
  BOOST_TEST(start.pending->lowest_sequence == 0);
  BOOST_TEST(start.pending->started_ms == 50);

  auto none = append({.sequence = 0, .transactional = true}, no_verification_guard);
  BOOST_TEST((none.verdict.error == append_errc::invalid_txn_state));
  BOOST_TEST(none.verdict.message.find("not part of an ongoing transaction") != std::string::npos);
  auto other = append({.sequence = 0, .transactional = true}, start.pending->guard + 1);
  BOOST_TEST((other.verdict.error == append_errc::invalid_txn_state));
  BOOST_TEST(state.find(pid) == nullptr);  // nothing written

  BOOST_TEST(!!append({.sequence = 0, .transactional = true}, start.pending->guard).verdict);
  BOOST_TEST(state.verification(pid) == nullptr);  // the transaction opened: the guard is gone
  // Within the open transaction nothing is asked and no guard presented.
  BOOST_TEST(!begin({.sequence = 1, .transactional = true}).pending.has_value());
  BOOST_TEST(!!append({.sequence = 1, .transactional = true}, no_verification_guard).verdict);
}

BOOST_AUTO_TEST_CASE(a_marker_between_verification_and_append_refuses_the_append) {
  // The hole KIP-890 closes: a batch verified while its transaction was
  // open, then the abort marker, then the batch's append.
  auto late = begin({.sequence = 0, .transactional = true});
  BOOST_REQUIRE(late.pending.has_value());
  mark(0, false);
  BOOST_TEST(state.verification(pid) == nullptr);
  BOOST_TEST((append({.sequence = 0, .transactional = true}, late.pending->guard).verdict.error ==
              append_errc::invalid_txn_state));
  BOOST_TEST(!state.find(pid)->txn_first_offset.has_value());  // no hanging transaction
  BOOST_TEST(!state.first_unstable_offset().has_value());
}

BOOST_AUTO_TEST_CASE(a_verification_answered_after_the_transaction_ended_matches_no_guard) {
  // The ABA case: verified, aborted, verified again for a new transaction;
  // the first answer must not open anything.
  auto first = begin({.sequence = 0, .transactional = true});
  mark(0, false);
  auto second = begin({.sequence = 0, .transactional = true});
  BOOST_REQUIRE(first.pending.has_value());
  BOOST_REQUIRE(second.pending.has_value());
  BOOST_TEST(first.pending->guard != second.pending->guard);
  BOOST_TEST((append({.sequence = 0, .transactional = true}, first.pending->guard).verdict.error ==
              append_errc::invalid_txn_state));
  BOOST_TEST(!!append({.sequence = 0, .transactional = true}, second.pending->guard).verdict);
}

BOOST_AUTO_TEST_CASE(an_open_transaction_at_another_epoch_is_verified_again) {
  BOOST_REQUIRE(!!verified({.epoch = 0, .sequence = 0, .transactional = true}).verdict);
  auto newer = begin({.epoch = 1, .sequence = 0, .transactional = true});
  BOOST_TEST(newer.pending.has_value());  // Kafka's hasOngoingTransaction(id, epoch)
  BOOST_TEST(newer.pending->epoch == 1);
  auto older = begin({.epoch = 0, .sequence = 1, .transactional = true});
  BOOST_TEST(!older.pending.has_value());
  mark(1, true);
  auto stale = begin({.epoch = 0, .sequence = 1, .transactional = true});
  BOOST_TEST((stale.verdict.error == append_errc::invalid_producer_epoch));  // refused before asking
  BOOST_TEST(!stale.pending.has_value());
}

BOOST_AUTO_TEST_CASE(while_a_guard_is_out_no_batch_starts_above_its_lowest_sequence) {
  auto first = begin({.sequence = 3, .transactional = true});
  auto lower = begin({.sequence = 1, .transactional = true});  // a retry of an earlier batch came in
  BOOST_REQUIRE(lower.pending.has_value());
  BOOST_TEST(lower.pending->guard == first.pending->guard);  // one entry per producer
  BOOST_TEST(lower.pending->lowest_sequence == 1);
  auto above = append({.sequence = 3, .transactional = true}, lower.pending->guard);
  BOOST_TEST((above.verdict.error == append_errc::out_of_order_sequence));
  BOOST_TEST(above.verdict.message.find("earliest seen sequence") != std::string::npos);
  // A bumped epoch restarts the lowest sequence.
  auto bumped = begin({.epoch = 1, .sequence = 0, .transactional = true});
  BOOST_TEST(bumped.pending->epoch == 1);
  BOOST_TEST(bumped.pending->lowest_sequence == 0);
  BOOST_TEST(!!append({.epoch = 1, .sequence = 0, .transactional = true}, bumped.pending->guard).verdict);
}

BOOST_AUTO_TEST_CASE(under_transaction_version_2_a_producer_without_state_starts_at_zero) {
  auto start = begin({.sequence = 4, .transactional = true}, 0, true);
  BOOST_REQUIRE(start.pending.has_value());
  BOOST_TEST(start.pending->supports_epoch_bump);
  auto r = append({.sequence = 4, .transactional = true}, start.pending->guard);
  BOOST_TEST((r.verdict.error == append_errc::out_of_order_sequence));
  // Without transaction version 2 a producer with no state may start anywhere (KIP-360).
  auto tv1 = begin({.sequence = 4, .transactional = true}, 0, false);
  BOOST_TEST(!!append({.sequence = 4, .transactional = true}, tv1.pending->guard).verdict);
}

BOOST_AUTO_TEST_CASE(coordinator_writes_and_unrequired_appends_are_not_held_to_a_guard) {
  BOOST_TEST(!!append({.sequence = 0, .transactional = true}, no_verification_guard, append_origin::coordinator).verdict);
  producer_state other;
  auto b = producer_batch_bytes({.producer_id = 7, .sequence = 0, .transactional = true});
  BOOST_TEST(!!other.check_produce(b).verdict);  // required = false
  BOOST_TEST(!other.check_produce(b, append_origin::client, {.required = true, .guard = 1}).verdict);
}

BOOST_AUTO_TEST_CASE(unanswered_verifications_expire_with_the_producer_expiration) {
  BOOST_REQUIRE(begin({.sequence = 0, .transactional = true}, 1000).pending.has_value());
  state.remove_expired(10999, 10000);
  BOOST_TEST(state.verification(pid) != nullptr);
  state.remove_expired(11000, 10000);
  BOOST_TEST(state.verification(pid) == nullptr);
}

BOOST_AUTO_TEST_CASE(a_bumped_epoch_marker_starts_the_next_transaction_at_sequence_zero) {
  // Transaction version 2: the coordinator bumps the epoch at EndTxn and
  // writes the markers with it.
  BOOST_REQUIRE(!!verified({.epoch = 4, .sequence = 0, .records = 3, .transactional = true}).verdict);
  BOOST_REQUIRE(!!verified({.epoch = 4, .sequence = 3, .transactional = true}).verdict);
  BOOST_TEST(!state.check_marker(pid, 5, 0).has_value());
  mark(5, true);
  const producer_entry* e = state.find(pid);
  BOOST_REQUIRE(e != nullptr);
  BOOST_TEST(e->epoch == 5);
  BOOST_TEST(e->batches.empty());
  BOOST_TEST(!e->txn_first_offset.has_value());
  // The next transaction, at the new epoch, starts again at 0.
  BOOST_TEST(!!verified({.epoch = 5, .sequence = 0, .transactional = true}).verdict);
  // A zombie of the old epoch is fenced, before and after verification.
  BOOST_TEST((begin({.epoch = 4, .sequence = 4, .transactional = true}).verdict.error ==
              append_errc::invalid_producer_epoch));
  BOOST_TEST((append({.epoch = 4, .sequence = 4, .transactional = true}, no_verification_guard).verdict.error ==
              append_errc::invalid_producer_epoch));
}

BOOST_AUTO_TEST_SUITE_END()
