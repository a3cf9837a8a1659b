#define BOOST_TEST_MODULE transaction_checker
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <filesystem>
#include <functional>
#include <future>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

#include "common/cluster/cluster_client.h"
#include "common/cluster/group_shards.h"
#include "common/cluster/transaction_checker.h"
#include "common/logging/logger.h"
#include "tests/unit/cluster/cluster_test_support.h"
#include "common/messaging/methods.h"
#include "common/messaging/rpc_server.h"
#include "common/proto/group.pb.h"
#include "common/protocol/messages/add_partitions_to_txn.h"
#include "services/coordinator/coordinator_service.h"

// transaction_checker against an in-process coordinator (so the metadata
// really assigns the id's shard) and a fake group coordinator: an
// rpc_server answering method 200 as each test says.

using namespace sluice;
using namespace std::chrono_literals;
using cluster_test::eventually;
using cluster_test::quiet_logs;
using txn_request = protocol::add_partitions_to_txn_request;
using txn_response = protocol::add_partitions_to_txn_response;

namespace {

cluster::client_options member(const std::string& coordinator_url, metadata::v1::ServiceKind kind,
                               std::string rpc_url) {
  cluster::client_options o;
  o.coordinator_url = coordinator_url;
  o.kind = kind;
  o.rpc_url = std::move(rpc_url);
  o.retry_interval = 50ms;
  o.rpc_timeout = 1000ms;
  return o;
}

/// What the fake group coordinator saw of one request.
struct seen_request {
  group::v1::KafkaRequest header;
  txn_request body;
};

/// A group-coordinator instance as far as the metadata is concerned, whose
/// method 200 answers come from `answer` (the decoded request in, the
/// response body out; nullopt: never answer).
struct fake_group_coordinator {
  using answer_fn = std::function<std::optional<std::vector<std::byte>>(const txn_request&)>;

  std::mutex mu;
  std::vector<seen_request> seen;
  answer_fn answer;
  std::vector<messaging::responder> held;  // requests left unanswered (a hung coordinator)
  messaging::rpc_server server{"tcp://127.0.0.1:0", [this](messaging::message m, messaging::responder r) {
                                 on_request(std::move(m), std::move(r));
                               }};

  void on_request(messaging::message m, messaging::responder r) {
    std::lock_guard lock(mu);
    seen_request s;
    if (m.method() != messaging::method::kafka_group_request || !m.parse_header(s.header))
      return r.fail(messaging::rpc_status::bad_request);
    protocol::reader in(m.payload());
    s.body.decode(in, static_cast<std::int16_t>(s.header.api_version()));
    seen.push_back(s);
    auto body = answer(s.body);
    if (!body) return held.push_back(std::move(r));
    auto reply = messaging::message::make(messaging::method::kafka_group_request, group::v1::KafkaResponse{});
    reply.append_payload(*body);
    r.reply(std::move(reply));
  }

  void set_answer(answer_fn f) {
    std::lock_guard lock(mu);
    answer = std::move(f);
  }
};

std::vector<std::byte> encode(const txn_response& resp) {
  protocol::writer w;
  resp.encode(w, 5);
  return w.take();
}

/// An answer giving each partition of the request the code `code_of` says.
fake_group_coordinator::answer_fn per_partition(std::function<std::int16_t(const std::string&, std::int32_t)> code_of) {
  return [code_of](const txn_request& req) -> std::optional<std::vector<std::byte>> {
    txn_response resp;
    for (const auto& t : req.transactions) {
      auto& result = resp.results_by_transaction.emplace_back();
      result.transactional_id = t.transactional_id;
      for (const auto& topic : t.topics) {
        auto& tr = result.topic_results.emplace_back();
        tr.name = topic.name;
        for (auto p : topic.partitions) tr.results_by_partition.push_back({p, code_of(topic.name, p)});
      }
    }
    return encode(resp);
  };
}

/// A coordinator, a fake group coordinator registered with it, and a
/// partition server's cluster_client the checker under test uses.
struct cluster_fixture {
  cluster_test::temp_dir dir{"sluice-txncheck-"};
  std::unique_ptr<coordinator::coordinator_service> coordinator;
  fake_group_coordinator fake;
  std::unique_ptr<cluster::cluster_client> group_member;
  std::unique_ptr<cluster::cluster_client> self;

  explicit cluster_fixture(bool with_group_coordinator = true) {
    coordinator::service_options o;
    o.data_dir = dir.path;
    o.listen_url = "tcp://127.0.0.1:0";
    o.publish_url = "tcp://127.0.0.1:0";
    o.coordinator.lease_ttl = 300ms;
    coordinator = std::make_unique<coordinator::coordinator_service>(o);
    fake.set_answer(per_partition([](const std::string&, std::int32_t) { return std::int16_t{0}; }));
    if (with_group_coordinator) {
      group_member = std::make_unique<cluster::cluster_client>(
          member(coordinator->rpc_url(), metadata::v1::GROUP_COORDINATOR, fake.server.url()));
      group_member->start();
      BOOST_REQUIRE(group_member->wait_ready(15s));
    }
    self = std::make_unique<cluster::cluster_client>(
        member(coordinator->rpc_url(), metadata::v1::PARTITION_SERVER, "tcp://127.0.0.1:1"));
    self->start();
    BOOST_REQUIRE(self->wait_ready(15s));
    if (with_group_coordinator) {
      BOOST_REQUIRE(eventually([&] {
        return cluster::offsets_partition_owner(*self->current(), cluster::transaction_partition_for("txn-a")) ==
               group_member->node_id();
      }));
    }
  }
};

/// Starts a check without waiting for its answer, so that checks which each
/// wait out the call's deadline can wait for it together.
std::future<cluster::txn_check_result> start_check(cluster::transaction_checker& checker,
                                                   cluster::txn_check_request req) {
  auto done = std::make_shared<std::promise<cluster::txn_check_result>>();
  auto future = done->get_future();
  checker.check(std::move(req), [done](cluster::txn_check_result r) { done->set_value(std::move(r)); });
  return future;
}

cluster::txn_check_result answer_of(std::future<cluster::txn_check_result>& future) {
  BOOST_REQUIRE(future.wait_for(20s) == std::future_status::ready);
  return future.get();
}

cluster::txn_check_result check(cluster::transaction_checker& checker, cluster::txn_check_request req) {
  auto future = start_check(checker, std::move(req));
  return answer_of(future);
}

cluster::txn_check_request three_partitions(bool add) {
  return {.transactional_id = "txn-a",
          .producer_id = 4000,
          .producer_epoch = 7,
          .add = add,
          .partitions = {{"orders", 0}, {"orders", 1}, {"payments", 2}}};
}

const std::pair<std::string, std::int32_t> orders0{"orders", 0}, orders1{"orders", 1}, payments2{"payments", 2};

}  // namespace

BOOST_GLOBAL_FIXTURE(quiet_logs);

BOOST_AUTO_TEST_CASE(verify_sends_add_partitions_to_txn_v5_broker_form_and_returns_each_partitions_code) {
  cluster_fixture c;
  c.fake.set_answer(per_partition([](const std::string& topic, std::int32_t p) -> std::int16_t {
    if (topic == "orders" && p == 1) return 48;  // INVALID_TXN_STATE
    if (topic == "payments") return 51;          // CONCURRENT_TRANSACTIONS
    return 0;
  }));
  cluster::transaction_checker checker(*c.self);
  auto result = check(checker, three_partitions(false));
  BOOST_TEST(result.size() == 3u);
  BOOST_TEST(result.at(orders0) == 0);
  BOOST_TEST(result.at(orders1) == 48);
  BOOST_TEST(result.at(payments2) == 51);

  std::lock_guard lock(c.fake.mu);
  BOOST_REQUIRE(c.fake.seen.size() == 1u);
  const auto& seen = c.fake.seen.front();
  BOOST_TEST(seen.header.api_key() == 24);
  BOOST_TEST(seen.header.api_version() == 5);
  BOOST_TEST(seen.header.client_id() == "sluice-partition-server-" + std::to_string(c.self->node_id()));
  BOOST_REQUIRE(seen.body.transactions.size() == 1u);
  const auto& txn = seen.body.transactions.front();
  BOOST_TEST(txn.transactional_id == "txn-a");
  BOOST_TEST(txn.producer_id == 4000);
  BOOST_TEST(txn.producer_epoch == 7);
  BOOST_TEST(txn.verify_only == true);
  BOOST_REQUIRE(txn.topics.size() == 2u);  // one entry per topic
  BOOST_TEST(txn.topics[0].name == "orders");
  BOOST_TEST(txn.topics[0].partitions == (std::vector<std::int32_t>{0, 1}), boost::test_tools::per_element());
  BOOST_TEST(txn.topics[1].name == "payments");
  BOOST_TEST(txn.topics[1].partitions == (std::vector<std::int32_t>{2}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(add_sends_verify_only_false) {
  cluster_fixture c;
  cluster::transaction_checker checker(*c.self);
  auto result = check(checker, three_partitions(true));
  BOOST_TEST(result.at(orders0) == 0);
  BOOST_TEST(result.at(orders1) == 0);
  BOOST_TEST(result.at(payments2) == 0);
  std::lock_guard lock(c.fake.mu);
  BOOST_REQUIRE(c.fake.seen.size() == 1u);
  BOOST_TEST(c.fake.seen.front().body.transactions.front().verify_only == false);
}

BOOST_AUTO_TEST_CASE(a_top_level_error_is_every_partitions_answer) {
  cluster_fixture c;
  c.fake.set_answer([](const txn_request&) -> std::optional<std::vector<std::byte>> {
    txn_response resp;
    resp.error_code = 16;  // NOT_COORDINATOR
    return encode(resp);
  });
  cluster::transaction_checker checker(*c.self);
  auto result = check(checker, three_partitions(false));
  BOOST_TEST(result.size() == 3u);
  for (const auto& [p, code] : result) BOOST_TEST(code == 16);
}

BOOST_AUTO_TEST_CASE(a_partition_the_answer_leaves_out_is_not_taken_as_verified) {
  cluster_fixture c;
  c.fake.set_answer([](const txn_request& req) -> std::optional<std::vector<std::byte>> {
    txn_response resp;
    auto& r = resp.results_by_transaction.emplace_back();
    r.transactional_id = req.transactions.front().transactional_id;
    r.topic_results.push_back({.name = "orders", .results_by_partition = {{0, 0}}});
    return encode(resp);
  });
  cluster::transaction_checker checker(*c.self);
  auto result = check(checker, three_partitions(false));
  BOOST_TEST(result.at(orders0) == 0);
  BOOST_TEST(result.at(orders1) == -1);  // UNKNOWN_SERVER_ERROR
  BOOST_TEST(result.at(payments2) == -1);
}

BOOST_AUTO_TEST_CASE(an_answer_that_does_not_parse_is_a_network_exception) {
  cluster_fixture c;
  c.fake.set_answer([](const txn_request&) -> std::optional<std::vector<std::byte>> {
    return std::vector<std::byte>{std::byte{0}, std::byte{0}};
  });
  cluster::transaction_checker checker(*c.self);
  auto result = check(checker, three_partitions(false));
  for (const auto& [p, code] : result) BOOST_TEST(code == 13);
}

BOOST_AUTO_TEST_CASE(no_owner_of_the_shard_is_coordinator_not_available) {
  cluster_fixture c(false);
  cluster::transaction_checker checker(*c.self);
  auto result = check(checker, three_partitions(false));
  BOOST_TEST(result.size() == 3u);
  for (const auto& [p, code] : result) BOOST_TEST(code == 15);
  std::lock_guard lock(c.fake.mu);
  BOOST_TEST(c.fake.seen.empty());
}

// A dead owner and an owner that never answers both wait out the call's 5 s
// deadline: two clusters, checked at the same time, wait for it once.
BOOST_AUTO_TEST_CASE(a_dead_owner_and_an_owner_that_never_answers_are_network_exceptions) {
  cluster_fixture dead;
  dead.fake.server.stop();
  cluster_fixture hung;
  hung.fake.set_answer([](const txn_request&) -> std::optional<std::vector<std::byte>> { return std::nullopt; });
  cluster::transaction_checker dead_checker(*dead.self);
  cluster::transaction_checker hung_checker(*hung.self);

  const auto start = std::chrono::steady_clock::now();
  auto hung_future = start_check(hung_checker, three_partitions(false));
  auto dead_future = start_check(dead_checker, three_partitions(false));
  BOOST_TEST_CONTEXT("a dead owner") {
    auto result = answer_of(dead_future);
    BOOST_TEST(result.size() == 3u);
    for (const auto& [p, code] : result) BOOST_TEST(code == 13);
  }
  BOOST_TEST_CONTEXT("an owner that never answers times out") {
    auto result = answer_of(hung_future);
    BOOST_TEST((std::chrono::steady_clock::now() - start >= 4s));  // the 5 s deadline, not an early failure
    for (const auto& [p, code] : result) BOOST_TEST(code == 13);
  }
}

BOOST_AUTO_TEST_CASE(no_partitions_answers_at_once_without_a_call) {
  cluster_fixture c;
  cluster::transaction_checker checker(*c.self);
  auto req = three_partitions(false);
  req.partitions.clear();
  BOOST_TEST(check(checker, req).empty());
  std::lock_guard lock(c.fake.mu);
  BOOST_TEST(c.fake.seen.empty());
}
