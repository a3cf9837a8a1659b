// A partition leader's transaction verification (KIP-890) through the real
// produce op and partition actor, over NNG, with a fake transaction
// coordinator the test answers by hand: what is written, what is refused
// and how, and the order of one producer's appends while a check is out.
#include <boost/test/unit_test.hpp>

#include <condition_variable>
#include <future>
#include <mutex>

#include <caf/all.hpp>

#include "common/messaging/methods.h"
#include "common/messaging/rpc_client.h"
#include "common/messaging/rpc_server.h"
#include "common/protocol/error_code.h"
#include "services/partition-server/actors/partition_actor.h"
#include "services/partition-server/log_dir.h"
#include "services/partition-server/routing_table.h"
#include "services/partition-server/rpc/produce_op.h"
#include "services/partition-server/rpc/write_txn_markers_op.h"
#include "services/partition-server/verification_queue.h"
#include "tests/fixtures/temp_dir.h"
#include "tests/unit/storage/producer_batches.h"

using namespace sluice::partition_server;
using namespace sluice;
using namespace std::chrono_literals;
namespace pv1 = sluice::partition::v1;
namespace method = sluice::messaging::method;
using sluice::messaging::message;
using sluice::messaging::rpc_status;
using sluice::protocol::error_code;
using sluice::storage::test::producer_batch_bytes;
using sluice::storage::test::producer_batch_spec;

namespace {

/// The transaction coordinator, answered by the test.
struct fake_coordinator : txn_verifier {
  std::mutex m;
  std::condition_variable cv;
  std::vector<cluster::txn_check_request> asked;
  std::vector<std::function<void(cluster::txn_check_result)>> pending;

  void check(cluster::txn_check_request request, std::function<void(cluster::txn_check_result)> done) override {
    std::lock_guard lock(m);
    asked.push_back(std::move(request));
    pending.push_back(std::move(done));
    cv.notify_all();
  }
  /// Waits until `n` checks were asked; returns the n-th.
  cluster::txn_check_request wait_for(std::size_t n) {
    std::unique_lock lock(m);
    BOOST_REQUIRE(cv.wait_for(lock, 10s, [&] { return asked.size() >= n; }));
    return asked[n - 1];
  }
  std::size_t count() {
    std::lock_guard lock(m);
    return asked.size();
  }
  /// Answers check `i` (0-based) with `code` for every partition it named.
  void answer(std::size_t i, error_code code) {
    std::function<void(cluster::txn_check_result)> done;
    cluster::txn_check_result r;
    {
      std::lock_guard lock(m);
      done = std::move(pending.at(i));
      for (const auto& p : asked.at(i).partitions) r[p] = static_cast<std::int16_t>(code);
    }
    done(std::move(r));
  }
};

/// t/0 led here (one replica, so acks=all commits at once).
struct verify_fixture {
  sluice::test::temp_dir data;
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> system;
  std::shared_ptr<fake_coordinator> coordinator = std::make_shared<fake_coordinator>();
  std::shared_ptr<const routes> table;
  std::unique_ptr<messaging::rpc_server> server;
  std::unique_ptr<messaging::rpc_client> client;

  verify_fixture() {
    cfg.set("scheduler.max-threads", 2);
    system = std::make_unique<caf::actor_system>(cfg);
    auto r = std::make_shared<routes>();
    r->this_node = node_id{1};
    auto& t = r->topics["t"];
    auto dir = log_dir_path(data.path(), "t", 0);
    BOOST_REQUIRE(prepare_log_dir(dir, std::string(16, '\x01')));
    auto st = partition_state::open(dir, "t", 0, config::log_config{}, 0);
    BOOST_REQUIRE(st);
    st.value()->set_leadership(true, leader_epoch{5});
    t.leaders = {node_id{1}};
    t.actors = {system->spawn(partition_actor, std::shared_ptr<partition_state>(std::move(st.value())), 60s,
                              caf::actor{}, txn_verifier_ptr{coordinator})};
    table = r;
    server = std::make_unique<messaging::rpc_server>("tcp://127.0.0.1:0", [this](message m, messaging::responder to) {
      if (m.method() == method::produce) return produce_op::start(std::move(m), std::move(to), *table);
      if (m.method() == method::write_txn_markers) return write_txn_markers_op::start(m, std::move(to), *table);
      to.fail(rpc_status::unknown_method);
    });
    client = std::make_unique<messaging::rpc_client>(server->url());
  }
  ~verify_fixture() {
    for (auto& [name, t] : table->topics)
      for (auto& a : t.actors) caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
    system->await_all_actors_done();
    server->stop();
    table.reset();
  }

  /// A Kafka client's produce of `specs` to t/0 (one entry each), sent now;
  /// the future holds the reply.
  std::future<pv1::ProduceResponse> send(const std::vector<producer_batch_spec>& specs,
                                         pv1::TxnPartitionCheck mode = pv1::TXN_CHECK_VERIFY,
                                         std::string transactional_id = "tx") {
    pv1::ProduceRequest req;
    req.set_acks(-1);
    req.set_timeout_ms(10000);
    req.set_transactional_id(std::move(transactional_id));
    req.set_txn_check(mode);
    std::vector<std::vector<std::byte>> bytes;
    std::size_t total = 0;
    for (const auto& s : specs) {
      bytes.push_back(producer_batch_bytes(s));
      auto* a = req.add_partitions();
      a->set_topic("t");
      a->set_partition(0);
      a->set_records_size(static_cast<std::uint32_t>(bytes.back().size()));
      total += bytes.back().size();
    }
    auto m = message::make(method::produce, req, total);
    for (const auto& b : bytes) m.append_payload(b);
    auto promise = std::make_shared<std::promise<pv1::ProduceResponse>>();
    auto future = promise->get_future();
    client->call(std::move(m), 10s, [promise](rpc_status status, message reply) {
      pv1::ProduceResponse out;
      if (status != rpc_status::ok || !reply.parse_header(out)) out.add_partitions()->set_error_message("rpc failed");
      promise->set_value(std::move(out));
    });
    return future;
  }
  static pv1::PartitionAppendResult one(std::future<pv1::ProduceResponse>& f, int entry = 0) {
    BOOST_REQUIRE(f.wait_for(10s) == std::future_status::ready);
    auto r = f.get();
    BOOST_REQUIRE(r.partitions_size() > entry);
    return r.partitions(entry);
  }
  /// The coordinator aborts producer `pid`'s transaction in t/0.
  void abort_marker(std::int64_t pid, std::int16_t epoch) {
    pv1::WriteTxnMarkersRequest req;
    req.set_timeout_ms(10000);
    auto* m = req.add_markers();
    m->set_producer_id(pid);
    m->set_producer_epoch(epoch);
    m->set_committed(false);
    m->set_coordinator_epoch(1);
    auto* p = m->add_partitions();
    p->set_topic("t");
    p->set_partition(0);
    auto [status, reply] = client->call_sync(message::make(method::write_txn_markers, req), 10s);
    BOOST_REQUIRE(status == rpc_status::ok);
    pv1::WriteTxnMarkersResponse r;
    BOOST_REQUIRE(reply.parse_header(r));
    BOOST_REQUIRE(r.markers(0).partitions(0).error() == pv1::PARTITION_OK);
  }
};

producer_batch_spec txn(std::int64_t pid, std::int32_t seq) {
  return {.producer_id = pid, .epoch = 0, .sequence = seq, .transactional = true};
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(leader_verification, verify_fixture)

BOOST_AUTO_TEST_CASE(a_verified_batch_opens_the_transaction_and_later_ones_are_not_checked) {
  auto f = send({txn(7, 0)}, pv1::TXN_CHECK_ADD);
  auto asked = coordinator->wait_for(1);
  BOOST_TEST(asked.transactional_id == "tx");
  BOOST_TEST(asked.producer_id == 7);
  BOOST_TEST(asked.producer_epoch == 0);
  BOOST_TEST(asked.add);  // Produce v12: the leader adds the partition
  BOOST_REQUIRE(asked.partitions.size() == 1u);
  BOOST_TEST(asked.partitions[0].first == "t");
  BOOST_TEST(asked.partitions[0].second == 0);
  coordinator->answer(0, error_code::none);
  auto r = one(f);
  BOOST_TEST(r.error() == pv1::PARTITION_OK);
  BOOST_TEST(r.base_offset() == 0);
  // Open now: the next batch of the transaction goes straight in.
  auto next = send({txn(7, 1)});
  BOOST_TEST(one(next).base_offset() == 1);
  BOOST_TEST(coordinator->count() == 1u);
}

BOOST_AUTO_TEST_CASE(a_partition_outside_the_transaction_is_refused_and_nothing_is_written) {
  auto f = send({txn(7, 0)});
  BOOST_TEST(!coordinator->wait_for(1).add);  // before v12: verify only
  coordinator->answer(0, error_code::invalid_txn_state);
  auto r = one(f);
  BOOST_TEST(r.error() == pv1::INVALID_TXN_STATE);
  BOOST_TEST(r.error_message() == "Partition was not added to the transaction");
  BOOST_TEST(r.base_offset() == -1);
  // Nothing was written: the next verified batch lands at offset 0.
  auto again = send({txn(7, 0)});
  coordinator->wait_for(2);
  coordinator->answer(1, error_code::none);
  BOOST_TEST(one(again).base_offset() == 0);
}

BOOST_AUTO_TEST_CASE(an_abort_marker_between_verification_and_append_refuses_the_append) {
  auto f = send({txn(7, 0)});
  coordinator->wait_for(1);
  abort_marker(7, 0);  // e.g. the transaction timed out at the coordinator
  coordinator->answer(0, error_code::none);
  auto r = one(f);
  BOOST_TEST(r.error() == pv1::INVALID_TXN_STATE);
  BOOST_TEST(r.base_offset() == -1);
}

BOOST_AUTO_TEST_CASE(a_producers_appends_wait_behind_its_check_and_others_do_not) {
  auto first = send({txn(7, 0)});
  coordinator->wait_for(1);
  // One request, two entries to t/0 (the actor takes them in order): the
  // producer's next batch, then another producer's first.
  auto second = send({txn(7, 1), txn(8, 0)});
  auto other = coordinator->wait_for(2);
  BOOST_TEST(other.producer_id == 8);  // not held up by producer 7's check
  coordinator->answer(1, error_code::none);
  coordinator->answer(0, error_code::none);
  auto a = one(first);
  BOOST_TEST(a.error() == pv1::PARTITION_OK);
  BOOST_TEST(a.base_offset() == 1);  // producer 8's, answered first, went to 0
  BOOST_REQUIRE(second.wait_for(10s) == std::future_status::ready);
  auto r = second.get();
  BOOST_REQUIRE(r.partitions_size() == 2);
  BOOST_TEST(r.partitions(0).error() == pv1::PARTITION_OK);
  BOOST_TEST(r.partitions(0).base_offset() == 2);  // behind its producer's first
  BOOST_TEST(r.partitions(1).base_offset() == 0);
  BOOST_TEST(coordinator->count() == 2u);  // the waiting batch found the transaction open
}

BOOST_AUTO_TEST_CASE(retriable_answers_become_not_enough_replicas) {
  std::size_t n = 0;
  for (auto code : {error_code::concurrent_transactions, error_code::network_exception,
                    error_code::coordinator_load_in_progress, error_code::coordinator_not_available,
                    error_code::not_coordinator}) {
    auto f = send({txn(7, 0)});
    coordinator->wait_for(++n);
    coordinator->answer(n - 1, code);
    auto r = one(f);
    BOOST_TEST(r.error() == pv1::NOT_ENOUGH_REPLICAS);
    BOOST_TEST(r.error_message().find(protocol::to_string(code)) != std::string::npos);
  }
}

BOOST_AUTO_TEST_CASE(other_answers_map_as_kafka_does) {
  struct expect {
    error_code code;
    pv1::TxnPartitionCheck mode;
    pv1::PartitionError error;
  };
  std::size_t n = 0;
  for (auto e : {expect{error_code::producer_fenced, pv1::TXN_CHECK_VERIFY, pv1::INVALID_PRODUCER_EPOCH},
                 expect{error_code::transaction_abortable, pv1::TXN_CHECK_VERIFY, pv1::INVALID_TXN_STATE},
                 expect{error_code::transaction_abortable, pv1::TXN_CHECK_VERIFY_ABORTABLE, pv1::TRANSACTION_ABORTABLE},
                 expect{error_code::transaction_abortable, pv1::TXN_CHECK_ADD, pv1::TRANSACTION_ABORTABLE},
                 expect{error_code::invalid_producer_id_mapping, pv1::TXN_CHECK_VERIFY, pv1::INVALID_PRODUCER_ID_MAPPING},
                 expect{error_code::unknown_server_error, pv1::TXN_CHECK_VERIFY, pv1::INVALID_TXN_STATE}}) {
    auto f = send({txn(7, 0)}, e.mode);
    coordinator->wait_for(++n);
    coordinator->answer(n - 1, e.code);
    BOOST_TEST(one(f).error() == e.error);
  }
}

BOOST_AUTO_TEST_CASE(without_a_transactional_id_a_batch_opening_a_transaction_is_refused) {
  auto f = send({txn(7, 0)}, pv1::TXN_CHECK_VERIFY, "");
  auto r = one(f);
  BOOST_TEST(r.error() == pv1::INVALID_TXN_STATE);
  BOOST_TEST(coordinator->count() == 0u);  // nobody to ask
}

BOOST_AUTO_TEST_CASE(an_idempotent_batch_is_not_checked) {
  auto f = send({{.producer_id = 7, .sequence = 0}});
  BOOST_TEST(one(f).error() == pv1::PARTITION_OK);
  BOOST_TEST(coordinator->count() == 0u);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(verification_queue_order)

BOOST_AUTO_TEST_CASE(steps_wait_only_behind_their_producers_verification) {
  verification_queue q;
  std::vector<std::string> ran;
  q.run_or_queue(1, [&] {
    ran.push_back("1a");
    q.verification_started(1);
  });
  q.run_or_queue(1, [&] { ran.push_back("1b"); });
  q.run_or_queue(2, [&] { ran.push_back("2a"); });
  q.run_or_queue(-1, [&] { ran.push_back("none"); });
  q.run_or_queue(1, [&] {
    ran.push_back("1c");
    q.verification_started(1);
  });
  q.run_or_queue(1, [&] { ran.push_back("1d"); });
  BOOST_TEST(ran == (std::vector<std::string>{"1a", "2a", "none"}));
  BOOST_TEST(q.waiting() == 3u);
  q.verification_done(1);  // 1b runs, 1c starts a check: 1d waits
  BOOST_TEST(ran == (std::vector<std::string>{"1a", "2a", "none", "1b", "1c"}));
  BOOST_TEST(q.verifying(1));
  q.verification_done(1);
  BOOST_TEST(ran.back() == "1d");
  BOOST_TEST(!q.verifying(1));
  BOOST_TEST(q.waiting() == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
