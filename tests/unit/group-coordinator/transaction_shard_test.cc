// A __transaction_state shard with a fake log, a fake producer id pool and a
// fake marker channel: answers only once durable, EndTxn driving markers
// and completion, marker retries, timeouts, fencing by InitProducerId,
// expiry, replay and resuming markers on load.
#include <boost/test/unit_test.hpp>

#include <deque>
#include <memory>
#include <set>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "services/group-coordinator/txn/transaction_log_records.h"
#include "services/group-coordinator/txn/transaction_shard.h"
#include "tests/unit/group-coordinator/fake_record_log.h"

using namespace sluice::group_coordinator;
using namespace sluice::group_coordinator::txn;

namespace {

int as_int(error_code e) { return static_cast<int>(e); }

constexpr std::int64_t t0 = 1'700'000'000'000;

/// Hands out 1000, 1001, ... at once, or fails with `failure` if set.
struct counting_ids : producer_id_source {
  std::int64_t next = 1000;
  std::optional<error_code> failure;
  int asked = 0;
  void next_producer_id(std::function<void(std::optional<std::int64_t>, error_code)> done) override {
    ++asked;
    if (failure) return done(std::nullopt, *failure);
    done(next++, error_code::none);
  }
};

/// Routes "gone" topics as deleted, those in `leaderless` as unavailable, __consumer_offsets
/// to group coordinator 9, others to partition server 1; holds every send
/// until the test answers it.
struct fake_markers : marker_channel {
  struct sent {
    marker_route to;
    marker_request request;
    std::function<void(std::map<txn_partition, marker_outcome>)> done;
  };
  std::deque<sent> sends;
  std::set<std::string> leaderless{"dark"};
  marker_route route(const txn_partition& p) override {
    if (p.first == "gone") return {marker_route::kind::deleted, -1};
    if (leaderless.count(p.first)) return {marker_route::kind::unavailable, -1};
    if (p.first == "__consumer_offsets") return {marker_route::kind::group_coordinator, 9};
    return {marker_route::kind::partition_server, 1};
  }
  void send(marker_route to, marker_request request,
            std::function<void(std::map<txn_partition, marker_outcome>)> done) override {
    sends.push_back({to, std::move(request), std::move(done)});
  }
  /// Answers the oldest send: every partition with `outcome`, except those in `other`.
  void answer(marker_outcome outcome, std::map<txn_partition, marker_outcome> other = {}) {
    auto s = std::move(sends.front());
    sends.pop_front();
    std::map<txn_partition, marker_outcome> out;
    for (const auto& p : s.request.partitions) out[p] = other.count(p) ? other[p] : outcome;
    s.done(out);
  }
  void answer_all(marker_outcome outcome) {
    while (!sends.empty()) answer(outcome);
  }
};

/// An answer that may come later: empty until the callback runs.
template <class T>
struct later {
  std::shared_ptr<std::optional<T>> value = std::make_shared<std::optional<T>>();
  std::function<void(T)> callback() const {
    return [v = value](T x) { *v = x; };
  }
  explicit operator bool() const { return value->has_value(); }
  const T& operator*() const { return **value; }
  const T* operator->() const { return &**value; }
};

struct shard_fixture {
  transaction_options options;
  test::fake_record_log log;
  counting_ids ids;
  fake_markers markers;
  std::unique_ptr<transaction_shard> shard = make(5);

  std::unique_ptr<transaction_shard> make(std::int64_t epoch) {
    return std::make_unique<transaction_shard>(3, epoch, options, log, ids, markers);
  }

  later<transaction_shard::init_answer> init(const std::string& id, std::int64_t now = t0,
                                             std::optional<producer_id_and_epoch> expected = std::nullopt,
                                             std::int32_t timeout_ms = 60000) {
    later<transaction_shard::init_answer> out;
    shard->init_producer_id(id, timeout_ms, expected, now, out.callback());
    return out;
  }
  /// InitProducerId, durable: the producer's id and epoch.
  producer_id_and_epoch init_durable(const std::string& id, std::int64_t now = t0) {
    std::optional<transaction_shard::init_answer> out;
    shard->init_producer_id(id, 60000, std::nullopt, now, [&out](auto a) { out = a; });
    log.complete_all();
    BOOST_REQUIRE(out);
    BOOST_REQUIRE_EQUAL(as_int(out->error), 0);
    return {out->producer_id, out->producer_epoch};
  }
  later<error_code> add(const std::string& id, producer_id_and_epoch p, std::set<txn_partition> ps,
                        std::int64_t now = t0, txn_version version = txn_version::tv0) {
    later<error_code> out;
    shard->add_partitions(id, p, std::move(ps), version, now, out.callback());
    return out;
  }
  /// EndTxn at `version`: its whole answer.
  later<transaction_shard::end_answer> end_as(const std::string& id, producer_id_and_epoch p, bool commit,
                                              txn_version version, std::int64_t now = t0) {
    later<transaction_shard::end_answer> out;
    shard->end_txn(id, p, commit, version, now, out.callback());
    return out;
  }
  /// EndTxn v0-4: its error.
  later<error_code> end(const std::string& id, producer_id_and_epoch p, bool commit, std::int64_t now = t0) {
    later<error_code> out;
    shard->end_txn(id, p, commit, txn_version::tv0, now,
                   [cb = out.callback()](transaction_shard::end_answer a) { cb(a.error); });
    return out;
  }
  txn_state state(const std::string& id) const {
    auto* m = shard->find(id);
    BOOST_REQUIRE(m);
    return m->state;
  }
  /// Replays a TV2 transaction of `producer_id` open on orders-0 at the
  /// last epoch InitProducerId hands out (getting there by bumps would take
  /// 32766 transactions).
  void replay_ongoing_at_the_last_epoch(const std::string& id, std::int64_t producer_id) {
    transaction_metadata m;
    m.transactional_id = id;
    m.producer_id = producer_id;
    m.previous_producer_id = producer_id;
    m.producer_epoch = max_handed_out_epoch;
    m.timeout_ms = 60000;
    m.state = txn_state::ongoing;
    m.partitions = {{"orders", 0}};
    m.start_timestamp = t0;
    m.last_update_timestamp = t0;
    m.client_version = txn_version::tv2;
    auto r = txn_record(m);
    shard->apply(r.key, r.value);
  }
  /// The state the last record written for `id` holds.
  transaction_metadata last_written(const std::string& id) const {
    for (auto it = log.written.rbegin(); it != log.written.rend(); ++it)
      if (decode_txn_key(it->key) == id && it->value) return decode_txn_value(id, *it->value);
    BOOST_FAIL("nothing written for " + id);
    return {};
  }
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(transaction_shard_ops, shard_fixture)

BOOST_AUTO_TEST_CASE(init_takes_a_new_id_and_answers_once_durable) {
  auto a = init("t1");
  BOOST_TEST(!a);  // written, not durable
  BOOST_TEST(ids.asked == 1);
  BOOST_TEST(!shard->find("t1"));
  BOOST_REQUIRE(log.pending.size() == 1u);
  log.complete();
  BOOST_TEST(shard->find("t1"));
  auto p = init_durable("t1", t0 + 1);
  BOOST_TEST(p.producer_id == 1000);
  BOOST_TEST(p.epoch == 1);  // the second init bumped
  BOOST_TEST(ids.asked == 1);
  BOOST_TEST(last_written("t1").producer_epoch == 1);
}

BOOST_AUTO_TEST_CASE(init_refuses_a_timeout_over_the_maximum_and_a_pool_failure) {
  auto a = init("t1", t0, std::nullopt, options.max_timeout_ms + 1);
  BOOST_REQUIRE(a);
  BOOST_TEST(as_int(a->error) == as_int(error_code::invalid_transaction_timeout));
  ids.failure = error_code::coordinator_not_available;
  a = init("t1");
  BOOST_REQUIRE(a);
  BOOST_TEST(as_int(a->error) == as_int(error_code::coordinator_not_available));
  BOOST_TEST(log.pending.empty());
}

BOOST_AUTO_TEST_CASE(a_failed_write_answers_the_error_and_changes_nothing) {
  auto p = init_durable("t1");
  std::optional<transaction_shard::init_answer> a;
  shard->init_producer_id("t1", 60000, std::nullopt, t0, [&a](auto x) { a = x; });
  log.complete(error_code::coordinator_not_available);
  BOOST_REQUIRE(a);
  BOOST_TEST(as_int(a->error) == as_int(error_code::coordinator_not_available));
  BOOST_TEST(shard->find("t1")->producer_epoch == p.epoch);
  // Records too large: Kafka's UNKNOWN_SERVER_ERROR, not the commit's error.
  std::optional<error_code> e;
  shard->add_partitions("t1", p, {{"orders", 0}}, txn_version::tv0, t0, [&e](error_code x) { e = x; });
  log.complete(error_code::invalid_commit_offset_size);
  BOOST_TEST(as_int(*e) == as_int(error_code::unknown_server_error));
  BOOST_TEST((state("t1") == txn_state::empty));
}

BOOST_AUTO_TEST_CASE(end_txn_writes_prepare_answers_then_markers_then_completion) {
  auto p = init_durable("t1");
  auto e = add("t1", p, {{"orders", 0}, {"orders", 1}, {"__consumer_offsets", 3}});
  BOOST_TEST(!e);
  log.complete_all();
  BOOST_REQUIRE(e);
  BOOST_TEST(as_int(*e) == 0);
  BOOST_TEST((state("t1") == txn_state::ongoing));

  e = end("t1", p, true, t0 + 10);
  BOOST_TEST(!e);
  BOOST_TEST(markers.sends.empty());  // nothing before PrepareCommit is durable
  log.complete();
  BOOST_REQUIRE(e);
  BOOST_TEST(as_int(*e) == 0);
  BOOST_TEST((state("t1") == txn_state::prepare_commit));
  BOOST_TEST((last_written("t1").state == txn_state::prepare_commit));

  // One request per destination: the partition server, the group coordinator.
  BOOST_REQUIRE(markers.sends.size() == 2u);
  std::map<marker_route, marker_request> by_to;
  for (const auto& s : markers.sends) by_to[s.to] = s.request;
  const auto& ps = by_to.at({marker_route::kind::partition_server, 1});
  BOOST_TEST(ps.partitions.size() == 2u);
  BOOST_TEST(ps.commit);
  BOOST_TEST(ps.producer_id == p.producer_id);
  BOOST_TEST(ps.producer_epoch == p.epoch);
  BOOST_TEST(ps.coordinator_epoch == 5);
  BOOST_TEST(by_to.at({marker_route::kind::group_coordinator, 9}).partitions.size() == 1u);

  // Meanwhile the producer's next requests wait for the markers.
  BOOST_TEST(as_int(init("t1")->error) == as_int(error_code::concurrent_transactions));
  BOOST_TEST(as_int(*add("t1", p, {{"x", 0}})) == as_int(error_code::concurrent_transactions));
  BOOST_TEST(as_int(*end("t1", p, true)) == as_int(error_code::concurrent_transactions));

  markers.answer(marker_outcome::written);
  BOOST_TEST(log.pending.empty());  // one destination still owes its marker
  markers.answer(marker_outcome::written);
  BOOST_REQUIRE(log.pending.size() == 1u);
  BOOST_TEST((state("t1") == txn_state::prepare_commit));
  log.complete();
  BOOST_TEST((state("t1") == txn_state::complete_commit));
  BOOST_TEST(shard->find("t1")->partitions.empty());
  BOOST_TEST((last_written("t1").state == txn_state::complete_commit));

  // A retried EndTxn of the same outcome succeeds without a write; the other is refused.
  const auto written = log.written.size();
  BOOST_TEST(as_int(*end("t1", p, true)) == 0);
  BOOST_TEST(as_int(*end("t1", p, false)) == as_int(error_code::invalid_txn_state));
  BOOST_TEST(log.written.size() == written);
}

BOOST_AUTO_TEST_CASE(markers_retry_with_backoff_and_drop_deleted_partitions) {
  auto p = init_durable("t1");
  add("t1", p, {{"orders", 0}, {"orders", 1}, {"gone", 0}, {"dark", 0}});
  log.complete_all();
  end("t1", p, false, t0 + 10);
  log.complete_all();
  // "gone" is dropped; "dark" has no leader: waits for a retry.
  BOOST_REQUIRE(markers.sends.size() == 1u);
  BOOST_TEST(markers.sends.front().request.partitions.size() == 2u);
  BOOST_TEST(!markers.sends.front().request.commit);
  markers.answer(marker_outcome::written, {{{"orders", 1}, marker_outcome::retry}});
  BOOST_TEST(markers.sends.empty());
  shard->tick(t0 + 10 + marker_sender::initial_backoff_ms - 1);
  BOOST_TEST(markers.sends.empty());  // not yet
  shard->tick(t0 + 10 + marker_sender::initial_backoff_ms + 1);
  BOOST_REQUIRE(markers.sends.size() == 1u);  // orders-1 again; dark still has no leader
  BOOST_TEST(markers.sends.front().request.partitions.size() == 1u);
  BOOST_TEST(markers.sends.front().request.partitions.count({"orders", 1}) == 1u);
  markers.answer(marker_outcome::written);
  BOOST_TEST(log.pending.empty());
  // Once "dark" has a leader, its retry goes out and the transaction completes.
  markers.leaderless.clear();
  std::int64_t now = t0 + 10;
  while (markers.sends.empty() && now < t0 + 60000) shard->tick(now += 100);
  BOOST_REQUIRE(markers.sends.empty() == false);
  BOOST_TEST(markers.sends.front().request.partitions.count({"dark", 0}) == 1u);
  markers.answer(marker_outcome::written);
  log.complete_all();
  BOOST_TEST((state("t1") == txn_state::complete_abort));
}

BOOST_AUTO_TEST_CASE(a_fenced_marker_stops_and_leaves_the_transaction_prepared) {
  auto p = init_durable("t1");
  add("t1", p, {{"orders", 0}});
  log.complete_all();
  end("t1", p, true);
  log.complete_all();
  markers.answer(marker_outcome::fenced);
  shard->tick(t0 + 100000);
  BOOST_TEST(markers.sends.empty());
  BOOST_TEST(log.pending.empty());
  BOOST_TEST((state("t1") == txn_state::prepare_commit));
}

BOOST_AUTO_TEST_CASE(a_failed_completion_is_written_again_on_the_next_tick) {
  auto p = init_durable("t1");
  add("t1", p, {{"orders", 0}});
  log.complete_all();
  end("t1", p, true);
  log.complete_all();
  markers.answer_all(marker_outcome::written);
  BOOST_REQUIRE(log.pending.size() == 1u);
  log.complete(error_code::coordinator_not_available);
  BOOST_TEST((state("t1") == txn_state::prepare_commit));
  shard->tick(t0 + 1);
  BOOST_REQUIRE(log.pending.size() == 1u);
  log.complete();
  BOOST_TEST((state("t1") == txn_state::complete_commit));
}

BOOST_AUTO_TEST_CASE(a_timed_out_transaction_is_aborted_under_a_bumped_epoch) {
  auto p = init_durable("t1");
  add("t1", p, {{"orders", 0}}, t0 + 1000);
  log.complete_all();
  shard->tick(t0 + 1000 + 60000);  // exactly the timeout: not past it
  BOOST_TEST(log.pending.empty());
  shard->tick(t0 + 1000 + 60000 + options.abort_check_interval_ms);
  BOOST_REQUIRE(log.pending.size() == 1u);
  log.complete();
  BOOST_TEST((state("t1") == txn_state::prepare_abort));
  BOOST_TEST(shard->find("t1")->producer_epoch == p.epoch + 1);
  BOOST_REQUIRE(markers.sends.size() == 1u);
  BOOST_TEST(!markers.sends.front().request.commit);
  BOOST_TEST(markers.sends.front().request.producer_epoch == p.epoch + 1);
  markers.answer_all(marker_outcome::written);
  log.complete_all();
  BOOST_TEST((state("t1") == txn_state::complete_abort));
  // The producer that let it time out is fenced.
  BOOST_TEST(as_int(*end("t1", p, true)) == as_int(error_code::producer_fenced));
  BOOST_TEST(as_int(*add("t1", p, {{"orders", 0}})) == as_int(error_code::producer_fenced));
}

BOOST_AUTO_TEST_CASE(init_fences_an_open_transaction_and_the_retry_gets_a_newer_epoch) {
  auto old = init_durable("t1");
  add("t1", old, {{"orders", 0}});
  log.complete_all();
  auto a = init("t1");
  log.complete();
  BOOST_REQUIRE(a);
  BOOST_TEST(as_int(a->error) == as_int(error_code::concurrent_transactions));
  BOOST_TEST((state("t1") == txn_state::prepare_abort));
  BOOST_REQUIRE(markers.sends.size() == 1u);
  BOOST_TEST(markers.sends.front().request.producer_epoch == old.epoch + 1);
  // Retried before the abort completes: still CONCURRENT_TRANSACTIONS.
  BOOST_TEST(as_int(init("t1")->error) == as_int(error_code::concurrent_transactions));
  markers.answer_all(marker_outcome::written);
  log.complete_all();
  auto now = init_durable("t1");
  BOOST_TEST(now.producer_id == old.producer_id);
  BOOST_TEST(now.epoch == old.epoch + 2);
  // The zombie.
  BOOST_TEST(as_int(*add("t1", old, {{"orders", 0}})) == as_int(error_code::producer_fenced));
  BOOST_TEST(as_int(*end("t1", old, false)) == as_int(error_code::producer_fenced));
}

BOOST_AUTO_TEST_CASE(idle_ids_expire_with_a_tombstone) {
  options.expiration_check_interval_ms = 1000;
  options.id_expiration_ms = 5000;
  init_durable("idle", t0);
  init_durable("busy", t0);
  auto p = init_durable("busy", t0);  // epoch 1
  add("busy", p, {{"orders", 0}}, t0);
  log.complete_all();
  shard->loaded(t0);
  shard->tick(t0 + 5000);
  BOOST_REQUIRE(log.pending.size() == 1u);
  BOOST_TEST(!log.pending.front().first.records.front().value);
  BOOST_TEST(shard->find("idle"));  // until the tombstone is durable
  log.complete();
  BOOST_TEST(!shard->find("idle"));
  BOOST_TEST(shard->find("busy"));  // an open transaction never expires
}

BOOST_AUTO_TEST_CASE(replay_rebuilds_and_load_resumes_markers) {
  auto p = init_durable("t1");
  add("t1", p, {{"orders", 0}, {"__consumer_offsets", 3}});
  log.complete_all();
  end("t1", p, false);
  log.complete_all();
  init_durable("t2");
  init_durable("t3");
  // t3 expired: a tombstone follows its records.
  log.written.push_back(txn_tombstone("t3"));
  const auto records = log.written;
  shard->close();
  markers.sends.clear();

  shard = make(6);
  for (const auto& r : records) shard->apply(r.key, r.value);
  BOOST_TEST((state("t1") == txn_state::prepare_abort));
  BOOST_TEST(shard->find("t1")->partitions.size() == 2u);
  BOOST_TEST((state("t2") == txn_state::empty));
  BOOST_TEST(!shard->find("t3"));
  BOOST_TEST(markers.sends.empty());  // not before the load is done
  shard->loaded(t0 + 5);
  BOOST_REQUIRE(markers.sends.size() == 2u);
  BOOST_TEST(markers.sends.front().request.coordinator_epoch == 6);
  markers.answer_all(marker_outcome::written);
  log.complete_all();
  BOOST_TEST((state("t1") == txn_state::complete_abort));
}

BOOST_AUTO_TEST_CASE(closing_answers_what_is_under_way_and_ignores_late_answers) {
  auto p = init_durable("t1");
  add("t1", p, {{"orders", 0}});
  log.complete_all();
  end("t1", p, true);
  log.complete_all();
  auto e = add("t2", {1, 0}, {{"x", 0}});  // no such id
  BOOST_TEST(as_int(*e) == as_int(error_code::invalid_producer_id_mapping));
  auto a = init("t9");
  BOOST_TEST(!a);
  shard->close();
  BOOST_REQUIRE(a);
  BOOST_TEST(as_int(a->error) == as_int(error_code::not_coordinator));
  markers.answer_all(marker_outcome::written);  // late: nothing written
  BOOST_TEST(log.pending.size() == 1u);         // only t9's refused record, never completed
  BOOST_TEST(as_int(init("t1")->error) == as_int(error_code::not_coordinator));
}

// Transaction version 2 (KIP-890 part 2) through the shard.

BOOST_AUTO_TEST_CASE(tv2_implicit_start_end_bumps_markers_carry_the_bumped_epoch_and_retries_are_answered) {
  auto p = init_durable("t1");
  // A partition leader adds the partition (Produce v12): the transaction starts.
  auto e = add("t1", p, {{"orders", 0}}, t0 + 1, txn_version::tv2);
  log.complete_all();
  BOOST_REQUIRE(e);
  BOOST_TEST(as_int(*e) == 0);
  BOOST_TEST((state("t1") == txn_state::ongoing));
  BOOST_TEST((last_written("t1").client_version == txn_version::tv2));

  auto a = end_as("t1", p, true, txn_version::tv2, t0 + 10);
  BOOST_TEST(!a);  // answered once PrepareCommit is durable
  log.complete();
  BOOST_REQUIRE(a);
  BOOST_TEST(as_int(a->error) == 0);
  BOOST_TEST(a->producer_id == p.producer_id);
  BOOST_TEST(a->producer_epoch == p.epoch + 1);
  const auto prepared = last_written("t1");
  BOOST_TEST((prepared.state == txn_state::prepare_commit));
  BOOST_TEST(prepared.producer_epoch == p.epoch + 1);
  BOOST_TEST((prepared.client_version == txn_version::tv2));
  BOOST_REQUIRE(markers.sends.size() == 1u);
  BOOST_TEST(markers.sends.front().request.producer_epoch == p.epoch + 1);
  BOOST_TEST(markers.sends.front().request.producer_id == p.producer_id);

  // While the markers are written: the producer's next transaction (new
  // epoch) must wait, and a retry of the end is CONCURRENT_TRANSACTIONS.
  const producer_id_and_epoch bumped{p.producer_id, static_cast<std::int16_t>(p.epoch + 1)};
  BOOST_TEST(as_int(*add("t1", bumped, {{"orders", 1}}, t0 + 11, txn_version::tv2)) ==
             as_int(error_code::concurrent_transactions));
  BOOST_TEST(as_int(end_as("t1", p, true, txn_version::tv2)->error) == as_int(error_code::concurrent_transactions));

  markers.answer_all(marker_outcome::written);
  log.complete_all();
  BOOST_TEST((state("t1") == txn_state::complete_commit));
  BOOST_TEST(shard->find("t1")->producer_epoch == p.epoch + 1);

  // The retry after completion: success with the same id and epoch, nothing written.
  const auto written = log.written.size();
  a = end_as("t1", p, true, txn_version::tv2);
  BOOST_REQUIRE(a);
  BOOST_TEST(as_int(a->error) == 0);
  BOOST_TEST(a->producer_epoch == p.epoch + 1);
  BOOST_TEST(log.written.size() == written);
  // The old epoch is fenced; the bumped one opens the next transaction.
  BOOST_TEST(as_int(*add("t1", p, {{"orders", 0}}, t0 + 20, txn_version::tv2)) ==
             as_int(error_code::producer_fenced));
  e = add("t1", bumped, {{"orders", 0}}, t0 + 20, txn_version::tv2);
  log.complete_all();
  BOOST_TEST(as_int(*e) == 0);
  BOOST_TEST((state("t1") == txn_state::ongoing));
  BOOST_TEST(shard->find("t1")->start_timestamp == t0 + 20);
}

BOOST_AUTO_TEST_CASE(tv2_end_at_the_last_epoch_takes_a_new_producer_id_and_a_new_owner_finishes_the_rotation) {
  replay_ongoing_at_the_last_epoch("t1", 77);
  shard->loaded(t0);

  auto a = end_as("t1", {77, max_handed_out_epoch}, true, txn_version::tv2, t0 + 10);
  BOOST_TEST(ids.asked == 1);
  log.complete();
  BOOST_REQUIRE(a);
  BOOST_TEST(as_int(a->error) == 0);
  BOOST_TEST(a->producer_id == 1000);  // the pool's
  BOOST_TEST(a->producer_epoch == 0);
  const auto prepared = last_written("t1");
  BOOST_TEST(prepared.producer_id == 77);
  BOOST_TEST(prepared.producer_epoch == 0x7fff);
  BOOST_TEST(prepared.next_producer_id == 1000);
  // The markers go out under the old id at the very last epoch.
  BOOST_REQUIRE(markers.sends.size() == 1u);
  BOOST_TEST(markers.sends.front().request.producer_id == 77);
  BOOST_TEST(markers.sends.front().request.producer_epoch == 0x7fff);

  // The shard moves before the markers are done: the next owner replays
  // Prepare*, resumes the markers and completes onto the new id.
  const auto records = log.written;
  shard->close();
  markers.sends.clear();
  shard = make(6);
  for (const auto& rec : records) shard->apply(rec.key, rec.value);
  BOOST_TEST(shard->find("t1")->next_producer_id == 1000);
  shard->loaded(t0 + 20);
  BOOST_REQUIRE(markers.sends.size() == 1u);
  BOOST_TEST(markers.sends.front().request.producer_id == 77);
  markers.answer_all(marker_outcome::written);
  log.complete_all();
  const auto* done = shard->find("t1");
  BOOST_TEST((done->state == txn_state::complete_commit));
  BOOST_TEST(done->producer_id == 1000);
  BOOST_TEST(done->producer_epoch == 0);
  BOOST_TEST(done->previous_producer_id == 77);
  BOOST_TEST(done->next_producer_id == -1);
  BOOST_TEST((last_written("t1") == *done));

  // The client's retry of that EndTxn, after the move: recognised by the
  // replayed previous producer id.
  a = end_as("t1", {77, max_handed_out_epoch}, true, txn_version::tv2, t0 + 30);
  BOOST_REQUIRE(a);
  BOOST_TEST(as_int(a->error) == 0);
  BOOST_TEST(a->producer_id == 1000);
  BOOST_TEST(a->producer_epoch == 0);
  BOOST_TEST(ids.asked == 1);
}

BOOST_AUTO_TEST_CASE(tv2_a_pool_failure_refuses_the_end_and_changes_nothing) {
  replay_ongoing_at_the_last_epoch("t1", 77);
  ids.failure = error_code::coordinator_not_available;
  auto a = end_as("t1", {77, max_handed_out_epoch}, false, txn_version::tv2);
  BOOST_REQUIRE(a);
  BOOST_TEST(as_int(a->error) == as_int(error_code::coordinator_not_available));
  BOOST_TEST(log.pending.empty());
  BOOST_TEST((state("t1") == txn_state::ongoing));
}

BOOST_AUTO_TEST_CASE(tv2_an_abort_with_no_transaction_bumps_and_completes_without_markers) {
  auto p = init_durable("t1");
  auto a = end_as("t1", p, false, txn_version::tv2, t0 + 5);
  log.complete();  // PrepareAbort, with no partition to mark
  BOOST_REQUIRE(a);
  BOOST_TEST(as_int(a->error) == 0);
  BOOST_TEST(a->producer_epoch == p.epoch + 1);
  BOOST_TEST(markers.sends.empty());
  BOOST_REQUIRE(log.pending.size() == 1u);  // CompleteAbort follows at once
  log.complete();
  BOOST_TEST((state("t1") == txn_state::complete_abort));
  BOOST_TEST(shard->find("t1")->producer_epoch == p.epoch + 1);
  BOOST_TEST(shard->find("t1")->start_timestamp == t0 + 5);
  // A commit with no transaction: INVALID_TXN_STATE.
  const producer_id_and_epoch bumped{p.producer_id, static_cast<std::int16_t>(p.epoch + 1)};
  BOOST_TEST(as_int(end_as("t1", bumped, true, txn_version::tv2)->error) == as_int(error_code::invalid_txn_state));
}

BOOST_AUTO_TEST_CASE(tv2_end_txn_v0_to_4_of_a_tv2_transaction_does_not_bump) {
  auto p = init_durable("t1");
  add("t1", p, {{"orders", 0}}, t0, txn_version::tv2);
  log.complete_all();
  auto a = end_as("t1", p, true, txn_version::tv0);
  log.complete();
  BOOST_REQUIRE(a);
  BOOST_TEST(as_int(a->error) == 0);
  BOOST_TEST(a->producer_id == -1);
  BOOST_TEST(last_written("t1").producer_epoch == p.epoch);
  BOOST_TEST((last_written("t1").client_version == txn_version::tv0));
  BOOST_REQUIRE(markers.sends.size() == 1u);
  BOOST_TEST(markers.sends.front().request.producer_epoch == p.epoch);
}

BOOST_AUTO_TEST_CASE(tv2_a_timed_out_transaction_is_fenced_then_aborted_under_one_more_epoch) {
  auto p = init_durable("t1");
  add("t1", p, {{"orders", 0}}, t0 + 1000, txn_version::tv2);
  log.complete_all();
  shard->tick(t0 + 1000 + 60000 + options.abort_check_interval_ms);
  log.complete();
  BOOST_TEST((state("t1") == txn_state::prepare_abort));
  BOOST_TEST(shard->find("t1")->producer_epoch == p.epoch + 2);
  BOOST_REQUIRE(markers.sends.size() == 1u);
  BOOST_TEST(markers.sends.front().request.producer_epoch == p.epoch + 2);
  markers.answer_all(marker_outcome::written);
  log.complete_all();
  // The producer that let it time out is fenced, also for a v5 end (not a retry: two epochs behind).
  BOOST_TEST(as_int(end_as("t1", p, false, txn_version::tv2)->error) == as_int(error_code::producer_fenced));
  BOOST_TEST(as_int(*add("t1", p, {{"orders", 0}}, t0, txn_version::tv2)) == as_int(error_code::producer_fenced));
  // InitProducerId of the same producer (KIP-360: its id and last epoch) is told it is fenced too.
  BOOST_TEST(as_int(init("t1", t0, p)->error) == as_int(error_code::producer_fenced));
}

BOOST_AUTO_TEST_SUITE_END()
