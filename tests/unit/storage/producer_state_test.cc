// producer_state: Kafka's idempotence rules for a leader's appends, the
// unchecked updates of followers, transactions opened and closed, expiry.
#include <boost/test/unit_test.hpp>

#include <climits>

#include "services/partition-server/storage/producer_state.h"
#include "tests/unit/storage/producer_batches.h"

using namespace sluice;
using namespace sluice::storage;
using namespace sluice::storage::test;
using protocol::append_errc;

namespace {

/// A leader's log as the producer state sees it: each append is checked,
/// then (unless refused or a duplicate) observed at the next offsets.
struct leader_log {
  producer_state state;
  std::int64_t next = 0;

  produce_check append(producer_batch_spec spec) { return append_set({spec}); }
  /// One produce request of several batches.
  produce_check append_set(std::vector<producer_batch_spec> specs) {
    std::vector<std::byte> set;
    std::int64_t at = next;
    for (auto& s : specs) {
      s.base_offset = at;
      at += s.records;
      auto b = producer_batch_bytes(s);
      set.insert(set.end(), b.begin(), b.end());
    }
    auto check = state.check_produce(set);
    if (check.verdict && !check.duplicate) {
      protocol::batch_iterator it(set);
      while (auto b = it.next()) BOOST_TEST(!state.observe(*b).has_value());
      next = at;
    }
    return check;
  }
  std::optional<completed_txn> mark(std::int64_t producer_id, std::int16_t epoch, bool commit, std::int32_t coord = 0) {
    auto done = state.observe(marker_bytes(producer_id, epoch, commit, coord, next));
    ++next;
    return done;
  }
  const producer_entry& entry(std::int64_t producer_id = 1000) const {
    auto* e = state.find(producer_id);
    BOOST_REQUIRE(e != nullptr);
    return *e;
  }
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(producer_state_rules, leader_log)

BOOST_AUTO_TEST_CASE(a_producer_in_sequence_is_accepted_and_kept) {
  BOOST_TEST(!!append({.sequence = 0, .records = 3}).verdict);
  BOOST_TEST(!!append({.sequence = 3, .records = 2}).verdict);
  const auto& e = entry();
  BOOST_TEST(e.epoch == 0);
  BOOST_TEST(e.last_seq() == 4);
  BOOST_REQUIRE(e.batches.size() == 2u);
  BOOST_TEST((e.batches[1] == (producer_batch{3, 4, offset{3}, offset{4}, 1001})));
  BOOST_TEST(e.last_timestamp == 1001);
  BOOST_TEST(state.end_offset() == offset{5});
}

BOOST_AUTO_TEST_CASE(a_gap_is_out_of_order_and_changes_nothing) {
  BOOST_REQUIRE(!!append({.sequence = 0, .records = 2}).verdict);
  const producer_entry before = entry();
  auto c = append({.sequence = 3});
  BOOST_TEST((c.verdict.error == append_errc::out_of_order_sequence));
  BOOST_TEST(c.verdict.message.find("3 (incoming), 1 (current end sequence number)") != std::string::npos);
  BOOST_TEST((entry() == before));
  // A sequence below the next is no better unless it is a retained batch.
  BOOST_TEST((append({.sequence = 1}).verdict.error == append_errc::out_of_order_sequence));
}

BOOST_AUTO_TEST_CASE(a_retry_of_any_of_the_last_five_batches_is_a_duplicate_with_its_offsets) {
  for (int i = 0; i < 6; ++i) BOOST_REQUIRE(!!append({.sequence = 2 * i, .records = 2, .timestamp = 100 + i}).verdict);
  BOOST_TEST(entry().batches.size() == producer_batches_retained);
  const auto end = state.end_offset();
  for (int i = 1; i < 6; ++i) {
    auto c = append({.sequence = 2 * i, .records = 2, .timestamp = 100 + i});
    BOOST_TEST(!!c.verdict);
    BOOST_REQUIRE(c.duplicate.has_value());
    BOOST_TEST(c.duplicate->first_offset == offset{2 * i});
    BOOST_TEST(c.duplicate->last_offset == offset{2 * i + 1});
    BOOST_TEST(c.duplicate->max_timestamp == 101 + i);
  }
  BOOST_TEST(state.end_offset() == end);
  // The sixth batch back is forgotten: its retry is out of order.
  BOOST_TEST((append({.sequence = 0, .records = 2}).verdict.error == append_errc::out_of_order_sequence));
  // Same first sequence but another last one is no duplicate.
  BOOST_TEST((append({.sequence = 10, .records = 1}).verdict.error == append_errc::out_of_order_sequence));
}

BOOST_AUTO_TEST_CASE(a_duplicate_needs_the_same_epoch) {
  BOOST_REQUIRE(!!append({.epoch = 1, .sequence = 0}).verdict);
  auto c = append({.epoch = 2, .sequence = 0});
  BOOST_TEST(!!c.verdict);
  BOOST_TEST(!c.duplicate.has_value());
  BOOST_TEST(entry().epoch == 2);
}

BOOST_AUTO_TEST_CASE(a_new_epoch_starts_at_sequence_zero) {
  BOOST_REQUIRE(!!append({.epoch = 0, .sequence = 0, .records = 5}).verdict);
  BOOST_TEST((append({.epoch = 1, .sequence = 5}).verdict.error == append_errc::out_of_order_sequence));
  BOOST_TEST(!!append({.epoch = 1, .sequence = 0}).verdict);
  const auto& e = entry();
  BOOST_TEST(e.epoch == 1);
  BOOST_TEST(e.batches.size() == 1u);  // the old epoch's batches are gone
  BOOST_TEST(e.last_seq() == 0);
}

BOOST_AUTO_TEST_CASE(an_older_epoch_is_fenced_for_idempotent_and_transactional_batches) {
  BOOST_REQUIRE(!!append({.epoch = 3, .sequence = 0}).verdict);
  auto idem = append({.epoch = 2, .sequence = 1});
  BOOST_TEST((idem.verdict.error == append_errc::invalid_producer_epoch));
  BOOST_TEST(idem.verdict.message.find("smaller than the last seen epoch 3") != std::string::npos);
  // Kafka answers INVALID_PRODUCER_EPOCH to transactional batches too (since
  // 2.7: the producer can abort and go on instead of failing fatally).
  BOOST_TEST((append({.epoch = 2, .sequence = 0, .transactional = true}).verdict.error ==
              append_errc::invalid_producer_epoch));
}

BOOST_AUTO_TEST_CASE(an_unknown_producer_may_start_at_any_sequence) {
  // KIP-360: its state may be gone with retention or expiry.
  BOOST_TEST(!!append({.producer_id = 7, .epoch = 4, .sequence = 42}).verdict);
  BOOST_TEST(entry(7).last_seq() == 42);
  BOOST_TEST((append({.producer_id = 7, .epoch = 4, .sequence = 44}).verdict.error ==
              append_errc::out_of_order_sequence));
}

BOOST_AUTO_TEST_CASE(sequences_wrap_after_int32_max) {
  BOOST_REQUIRE(!!append({.sequence = INT32_MAX - 1, .records = 2}).verdict);
  BOOST_TEST(entry().last_seq() == INT32_MAX);
  BOOST_TEST(!!append({.sequence = 0, .records = 2}).verdict);
  BOOST_TEST(entry().last_seq() == 1);
  // A batch crossing the wrap ends after it.
  BOOST_REQUIRE(!!append({.producer_id = 8, .sequence = INT32_MAX - 1}).verdict);
  BOOST_REQUIRE(!!append({.producer_id = 8, .sequence = INT32_MAX, .records = 3}).verdict);
  BOOST_TEST(entry(8).last_seq() == 1);
  BOOST_TEST(!!append({.producer_id = 8, .sequence = 2}).verdict);
}

BOOST_AUTO_TEST_CASE(the_batches_of_one_request_are_checked_together) {
  BOOST_REQUIRE(!!append({.sequence = 0}).verdict);
  // The second batch follows the first, not the stored state.
  BOOST_TEST(!!append_set({{.sequence = 1, .records = 2}, {.sequence = 3}, {.producer_id = 5, .sequence = 9}}).verdict);
  BOOST_TEST(entry().last_seq() == 3);
  const auto before = state.producers();
  const auto end = state.end_offset();
  // A bad second batch refuses the whole request: the first is not taken.
  auto c = append_set({{.sequence = 4}, {.sequence = 6}});
  BOOST_TEST((c.verdict.error == append_errc::out_of_order_sequence));
  BOOST_TEST((state.producers() == before));
  BOOST_TEST(state.end_offset() == end);
  // So is a bump then an older epoch within one request.
  BOOST_TEST((append_set({{.epoch = 1, .sequence = 0}, {.epoch = 0, .sequence = 4}}).verdict.error ==
              append_errc::invalid_producer_epoch));
  // A duplicate anywhere in the request answers the request.
  auto dup = append_set({{.sequence = 4}, {.sequence = 3}});
  BOOST_TEST(!!dup.verdict);
  BOOST_REQUIRE(dup.duplicate.has_value());
  BOOST_TEST(dup.duplicate->first_offset == offset{3});
}

BOOST_AUTO_TEST_CASE(batches_without_a_producer_id_are_not_tracked) {
  BOOST_TEST(!!append({.producer_id = -1, .epoch = -1, .sequence = -1}).verdict);
  BOOST_TEST(state.producers().empty());
  BOOST_TEST(state.end_offset() == offset{1});
}

BOOST_AUTO_TEST_CASE(a_transaction_opens_at_its_first_batch_and_a_marker_closes_it) {
  BOOST_REQUIRE(!!append({.producer_id = 1, .sequence = 0}).verdict);  // offset 0, not transactional
  BOOST_REQUIRE(!!append({.sequence = 0, .records = 2, .transactional = true}).verdict);  // 1..2
  BOOST_REQUIRE(!!append({.sequence = 2, .transactional = true}).verdict);              // 3
  BOOST_TEST((entry().txn_first_offset == std::optional<offset>(offset{1})));
  BOOST_TEST((state.first_unstable_offset() == std::optional<offset>(offset{1})));
  // While it is open, the producer may not write outside it.
  BOOST_TEST((append({.sequence = 3}).verdict.error == append_errc::invalid_txn_state));

  auto done = mark(1000, 0, false, 7);  // ABORT at 4
  BOOST_REQUIRE(done.has_value());
  BOOST_TEST((*done == completed_txn{1000, offset{1}, offset{4}, true}));
  BOOST_TEST((!entry().txn_first_offset.has_value()));
  BOOST_TEST(entry().coordinator_epoch == 7);
  BOOST_TEST(entry().batches.size() == 2u);  // same epoch: its batches stay
  // Closed, but the marker is not below the HW yet: still unstable.
  BOOST_TEST((state.first_unstable_offset() == std::optional<offset>(offset{1})));
  state.on_high_watermark(offset{4});
  BOOST_TEST((state.first_unstable_offset() == std::optional<offset>(offset{1})));
  state.on_high_watermark(offset{5});
  BOOST_TEST((!state.first_unstable_offset().has_value()));

  // A marker with nothing open closes nothing but still records its epochs.
  BOOST_TEST(!mark(1000, 1, true, 8).has_value());
  BOOST_TEST(entry().epoch == 1);
  BOOST_TEST(entry().batches.empty());
  BOOST_TEST(entry().coordinator_epoch == 8);
  BOOST_TEST(!!append({.epoch = 1, .sequence = 0}).verdict);  // new epoch from 0
}

BOOST_AUTO_TEST_CASE(the_first_unstable_offset_is_the_oldest_open_transaction) {
  BOOST_REQUIRE(!!append({.producer_id = 1, .sequence = 0, .transactional = true}).verdict);  // 0
  BOOST_REQUIRE(!!append({.producer_id = 2, .sequence = 0, .transactional = true}).verdict);  // 1
  BOOST_TEST((state.first_unstable_offset() == std::optional<offset>(offset{0})));
  auto done = mark(1, 0, true);
  BOOST_REQUIRE(done.has_value());
  BOOST_TEST(!done->aborted);
  state.on_high_watermark(offset{10});
  BOOST_TEST((state.first_unstable_offset() == std::optional<offset>(offset{1})));
}

BOOST_AUTO_TEST_CASE(markers_are_checked_for_producer_and_coordinator_epochs) {
  BOOST_TEST(!state.check_marker(1000, 0, 0).has_value());  // unknown producer: written anyway
  BOOST_REQUIRE(!!append({.epoch = 2, .sequence = 0, .transactional = true}).verdict);
  mark(1000, 2, true, 5);
  BOOST_TEST(!state.check_marker(1000, 2, 5).has_value());
  BOOST_TEST(!state.check_marker(1000, 3, 6).has_value());
  BOOST_TEST((state.check_marker(1000, 1, 5) == append_errc::invalid_producer_epoch));
  BOOST_TEST((state.check_marker(1000, 2, 4) == append_errc::coordinator_fenced));
}

BOOST_AUTO_TEST_CASE(followers_take_batches_without_checks) {
  producer_state follower;
  // Whatever the leader wrote: a gap, an older epoch (Kafka only warns).
  for (auto spec : {producer_batch_spec{.epoch = 3, .sequence = 0, .base_offset = 0},
                    producer_batch_spec{.epoch = 3, .sequence = 9, .base_offset = 1},
                    producer_batch_spec{.epoch = 2, .sequence = 4, .base_offset = 5}})
    follower.observe(producer_batch_bytes(spec));
  const auto* e = follower.find(1000);
  BOOST_REQUIRE(e != nullptr);
  BOOST_TEST(e->epoch == 2);
  BOOST_TEST(e->last_seq() == 4);
  BOOST_TEST(follower.end_offset() == offset{6});
}

BOOST_AUTO_TEST_CASE(idle_producers_without_open_transactions_expire) {
  BOOST_REQUIRE(!!append({.producer_id = 1, .timestamp = 1000}).verdict);
  BOOST_REQUIRE(!!append({.producer_id = 2, .timestamp = 5000}).verdict);
  BOOST_REQUIRE(!!append({.producer_id = 3, .transactional = true, .timestamp = 1000}).verdict);
  BOOST_TEST(state.remove_expired(10999, 10000) == 0u);
  BOOST_TEST(state.remove_expired(11000, 10000) == 1u);  // idle exactly the expiration: gone, as in Kafka
  BOOST_TEST(state.find(1) == nullptr);
  BOOST_TEST(state.find(2) != nullptr);
  BOOST_TEST(state.find(3) != nullptr);  // its transaction holds it
  BOOST_TEST(state.remove_expired(1'000'000, 10000) == 1u);
  BOOST_TEST(state.find(3) != nullptr);
  // Expired, it starts again at any sequence.
  BOOST_TEST(!!append({.producer_id = 1, .sequence = 17}).verdict);
}

BOOST_AUTO_TEST_SUITE_END()
