// The transaction coordinator's Kafka handlers over a real shard (fake log,
// ids and markers): request versions, per-partition answers, the
// verification form, filters, and errors Kafka maps per version.
#include <boost/test/unit_test.hpp>

#include "common/cluster/group_shards.h"
#include "common/protocol/api_keys.h"
#include "common/protocol/messages/add_offsets_to_txn.h"
#include "common/protocol/messages/add_partitions_to_txn.h"
#include "common/protocol/messages/describe_transactions.h"
#include "common/protocol/messages/end_txn.h"
#include "common/protocol/messages/init_producer_id.h"
#include "common/protocol/messages/list_transactions.h"
#include "services/group-coordinator/api/api_context.h"
#include "tests/unit/group-coordinator/fake_record_log.h"

using namespace sluice::group_coordinator;
namespace protocol = sluice::protocol;

namespace {

int as_int(error_code e) { return static_cast<int>(e); }

struct no_markers : txn::marker_channel {
  txn::marker_route route(const txn::txn_partition&) override { return {txn::marker_route::kind::unavailable, -1}; }
  void send(txn::marker_route, txn::marker_request, std::function<void(std::map<txn::txn_partition, txn::marker_outcome>)>) override {}
};

struct counting_ids : txn::producer_id_source {
  std::int64_t next = 500;
  void next_producer_id(std::function<void(std::optional<std::int64_t>, error_code)> done) override {
    done(next++, error_code::none);
  }
};

/// Serves every id from one shard, once `ready`.
struct one_shard : txn::transaction_directory {
  transaction_options options;
  test::fake_record_log log;
  counting_ids ids;
  no_markers markers;
  txn::transaction_shard shard{0, 1, options, log, ids, markers};
  bool ready = true;
  bool ours = true;
  txn::transaction_lookup find(const std::string&) override {
    if (!ours) return {nullptr, error_code::not_coordinator};
    if (!ready) return {nullptr, error_code::coordinator_load_in_progress};
    return {&shard, error_code::none};
  }
  std::vector<txn::transaction_shard*> loaded() override {
    if (!ready) return {};
    return {&shard};
  }
  bool loading() override { return !ready; }
};

struct api_fixture {
  one_shard txns;
  topic_catalog topics;
  std::vector<std::byte> last_body;
  int answers = 0;

  api_fixture() {
    topics.add("orders", protocol::uuid{}, 3);
    topics.add(std::string(sluice::cluster::offsets_topic), protocol::uuid{}, 50);
  }

  template <class Request>
  api_context context(const Request& req, std::int16_t version) {
    protocol::writer w;
    req.encode(w, version);
    api_context ctx;
    ctx.version = version;
    auto bytes = w.take();
    ctx.body = std::make_shared<const std::vector<std::byte>>(std::move(bytes));
    ctx.txns = &txns;
    ctx.topics = &topics;
    ctx.send = [this](std::vector<std::byte> body) {
      last_body = std::move(body);
      ++answers;
    };
    return ctx;
  }
  template <class Response>
  Response response(std::int16_t version) const {
    protocol::reader r{std::span<const std::byte>(last_body)};
    Response resp;
    resp.decode(r, version);
    return resp;
  }
  template <class Request>
  void call(const Request& req, std::int16_t version) {
    BOOST_REQUIRE(serve(static_cast<std::int16_t>(Request::key), context(req, version)));
    txns.log.complete_all();
  }
  /// A producer for `id`, durable.
  protocol::init_producer_id_response init(const std::string& id, std::int16_t version = 4) {
    protocol::init_producer_id_request req;
    req.transactional_id = id;
    req.transaction_timeout_ms = 60000;
    call(req, version);
    return response<protocol::init_producer_id_response>(version);
  }
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(transaction_api, api_fixture)

BOOST_AUTO_TEST_CASE(init_producer_id_answers_the_id_and_checks_the_request) {
  auto r = init("t1");
  BOOST_TEST(r.error_code == 0);
  BOOST_TEST(r.producer_id == 500);
  BOOST_TEST(r.producer_epoch == 0);

  protocol::init_producer_id_request req;
  req.transactional_id = "t1";
  req.transaction_timeout_ms = 60000;
  req.producer_id = 500;  // an id without an epoch
  call(req, 3);
  BOOST_TEST(response<protocol::init_producer_id_response>(3).error_code == as_int(error_code::invalid_request));

  req.transactional_id = "";
  req.producer_id = -1;
  call(req, 3);
  BOOST_TEST(response<protocol::init_producer_id_response>(3).error_code == as_int(error_code::invalid_request));

  // A zombie: PRODUCER_FENCED from v4, INVALID_PRODUCER_EPOCH before.
  req.transactional_id = "t1";
  req.producer_id = 499;
  req.producer_epoch = 0;
  call(req, 4);
  BOOST_TEST(response<protocol::init_producer_id_response>(4).error_code == as_int(error_code::producer_fenced));
  call(req, 3);
  BOOST_TEST(response<protocol::init_producer_id_response>(3).error_code ==
             as_int(error_code::invalid_producer_epoch));

  txns.ready = false;
  req.producer_id = -1;
  req.producer_epoch = -1;
  call(req, 4);
  BOOST_TEST(response<protocol::init_producer_id_response>(4).error_code ==
             as_int(error_code::coordinator_load_in_progress));
  txns.ours = false;
  call(req, 4);
  BOOST_TEST(response<protocol::init_producer_id_response>(4).error_code == as_int(error_code::not_coordinator));
}

BOOST_AUTO_TEST_CASE(add_partitions_v3_answers_each_partition_and_refuses_unknown_topics) {
  auto p = init("t1");
  protocol::add_partitions_to_txn_request req;
  req.v3_and_below_transactional_id = "t1";
  req.v3_and_below_producer_id = p.producer_id;
  req.v3_and_below_producer_epoch = p.producer_epoch;
  req.v3_and_below_topics = {{.name = "orders", .partitions = {0, 7}}, {.name = "nope", .partitions = {0}}};
  call(req, 3);
  auto r = response<protocol::add_partitions_to_txn_response>(3);
  std::map<std::pair<std::string, int>, int> errors;
  for (const auto& t : r.results_by_topic_v3_and_below)
    for (const auto& pr : t.results_by_partition) errors[{t.name, pr.partition_index}] = pr.partition_error_code;
  BOOST_TEST(errors.size() == 3u);
  BOOST_TEST((errors[{"orders", 0}] == as_int(error_code::operation_not_attempted)));
  BOOST_TEST((errors[{"orders", 7}] == as_int(error_code::unknown_topic_or_partition)));
  BOOST_TEST((errors[{"nope", 0}] == as_int(error_code::unknown_topic_or_partition)));
  BOOST_TEST(txns.shard.find("t1")->partitions.empty());

  req.v3_and_below_topics = {{.name = "orders", .partitions = {0, 2}}};
  call(req, 3);
  r = response<protocol::add_partitions_to_txn_response>(3);
  BOOST_REQUIRE(r.results_by_topic_v3_and_below.size() == 1u);
  for (const auto& pr : r.results_by_topic_v3_and_below[0].results_by_partition) BOOST_TEST(pr.partition_error_code == 0);
  BOOST_TEST(txns.shard.find("t1")->partitions.size() == 2u);

  // Fenced: INVALID_PRODUCER_EPOCH before v2.
  req.v3_and_below_producer_epoch = static_cast<std::int16_t>(p.producer_epoch + 1);
  call(req, 1);
  r = response<protocol::add_partitions_to_txn_response>(1);
  BOOST_TEST(r.results_by_topic_v3_and_below[0].results_by_partition[0].partition_error_code ==
             as_int(error_code::invalid_producer_epoch));
}

BOOST_AUTO_TEST_CASE(add_partitions_v4_batches_and_verifies_from_the_state) {
  auto p = init("t1");
  protocol::add_partitions_to_txn_request req;
  req.transactions.push_back({.transactional_id = "t1", .producer_id = p.producer_id, .producer_epoch = p.producer_epoch,
                              .verify_only = false, .topics = {{.name = "orders", .partitions = {1}}}});
  call(req, 4);
  req.transactions[0].verify_only = true;
  req.transactions[0].topics = {{.name = "orders", .partitions = {1, 2}}};
  req.transactions.push_back({.transactional_id = "t2", .producer_id = 1, .producer_epoch = 0, .verify_only = true,
                              .topics = {{.name = "orders", .partitions = {0}}}});
  const auto writes = txns.log.written.size();
  call(req, 4);
  BOOST_TEST(txns.log.written.size() == writes);  // verification writes nothing
  auto r = response<protocol::add_partitions_to_txn_response>(4);
  BOOST_REQUIRE(r.results_by_transaction.size() == 2u);
  BOOST_TEST(r.results_by_transaction[0].transactional_id == "t1");
  const auto& t1 = r.results_by_transaction[0].topic_results.at(0).results_by_partition;
  BOOST_TEST(t1.at(0).partition_error_code == 0);
  BOOST_TEST(t1.at(1).partition_error_code == as_int(error_code::transaction_abortable));
  BOOST_TEST(r.results_by_transaction[1].topic_results.at(0).results_by_partition.at(0).partition_error_code ==
             as_int(error_code::invalid_producer_id_mapping));
}

BOOST_AUTO_TEST_CASE(add_offsets_adds_the_groups_offsets_partition_and_end_txn_prepares) {
  auto p = init("t1");
  protocol::add_offsets_to_txn_request req{.transactional_id = "t1", .producer_id = p.producer_id,
                                           .producer_epoch = p.producer_epoch, .group_id = "g1"};
  call(req, 3);
  BOOST_TEST(response<protocol::add_offsets_to_txn_response>(3).error_code == 0);
  const txn::txn_partition offsets{std::string(sluice::cluster::offsets_topic),
                                   sluice::cluster::offsets_partition_for("g1")};
  BOOST_TEST(txns.shard.find("t1")->partitions.count(offsets) == 1u);

  protocol::end_txn_request end{.transactional_id = "t1", .producer_id = p.producer_id,
                                .producer_epoch = p.producer_epoch, .committed = true};
  call(end, 5);
  auto r = response<protocol::end_txn_response>(5);
  BOOST_TEST(r.error_code == 0);
  BOOST_TEST(r.producer_id == p.producer_id);
  // v5 is transaction version 2: the end bumps the epoch and answers it.
  BOOST_TEST(r.producer_epoch == p.producer_epoch + 1);
  BOOST_TEST((txns.shard.find("t1")->state == txn::txn_state::prepare_commit));
  end.producer_epoch = static_cast<std::int16_t>(p.producer_epoch - 1);
  call(end, 1);
  BOOST_TEST(response<protocol::end_txn_response>(1).error_code == as_int(error_code::invalid_producer_epoch));
}

BOOST_AUTO_TEST_CASE(describe_and_list_transactions) {
  auto p = init("pay-1");
  init("other");
  protocol::add_partitions_to_txn_request add;
  add.v3_and_below_transactional_id = "pay-1";
  add.v3_and_below_producer_id = p.producer_id;
  add.v3_and_below_producer_epoch = p.producer_epoch;
  add.v3_and_below_topics = {{.name = "orders", .partitions = {2, 0}}};
  call(add, 3);

  protocol::describe_transactions_request d;
  d.transactional_ids = {"pay-1", "missing"};
  call(d, 0);
  auto dr = response<protocol::describe_transactions_response>(0);
  BOOST_REQUIRE(dr.transaction_states.size() == 2u);
  BOOST_TEST(dr.transaction_states[0].error_code == 0);
  BOOST_TEST(dr.transaction_states[0].transaction_state == "Ongoing");
  BOOST_TEST(dr.transaction_states[0].producer_id == p.producer_id);
  BOOST_TEST(dr.transaction_states[0].transaction_timeout_ms == 60000);
  BOOST_REQUIRE(dr.transaction_states[0].topics.size() == 1u);
  BOOST_TEST((dr.transaction_states[0].topics[0].partitions == std::vector<std::int32_t>{0, 2}));
  BOOST_TEST(dr.transaction_states[1].error_code == as_int(error_code::transactional_id_not_found));

  protocol::list_transactions_request l;
  call(l, 2);
  BOOST_TEST(response<protocol::list_transactions_response>(2).transaction_states.size() == 2u);
  l.state_filters = {"Ongoing", "Bogus"};
  call(l, 2);
  auto lr = response<protocol::list_transactions_response>(2);
  BOOST_REQUIRE(lr.transaction_states.size() == 1u);
  BOOST_TEST(lr.transaction_states[0].transactional_id == "pay-1");
  BOOST_TEST((lr.unknown_state_filters == std::vector<std::string>{"Bogus"}));
  l.state_filters.clear();
  l.producer_id_filters = {p.producer_id + 1};
  call(l, 2);
  lr = response<protocol::list_transactions_response>(2);
  BOOST_REQUIRE(lr.transaction_states.size() == 1u);
  BOOST_TEST(lr.transaction_states[0].transactional_id == "other");
  l.producer_id_filters.clear();
  l.transactional_id_pattern = "pay-.*";
  call(l, 2);
  lr = response<protocol::list_transactions_response>(2);
  BOOST_REQUIRE(lr.transaction_states.size() == 1u);
  BOOST_TEST(lr.transaction_states[0].transactional_id == "pay-1");
  l.transactional_id_pattern = "([";
  call(l, 2);
  BOOST_TEST(response<protocol::list_transactions_response>(2).error_code ==
             as_int(error_code::invalid_regular_expression));
  // Ongoing and running longer than an hour: none yet; longer than -1 ms (no filter): pay-1.
  l.transactional_id_pattern.reset();
  l.state_filters = {"Ongoing"};
  l.duration_filter = 3600000;
  call(l, 1);
  BOOST_TEST(response<protocol::list_transactions_response>(1).transaction_states.empty());
  l.duration_filter = -1;
  call(l, 1);
  BOOST_TEST(response<protocol::list_transactions_response>(1).transaction_states.size() == 1u);
  txns.ready = false;
  l.duration_filter = -1;
  call(l, 1);
  BOOST_TEST(response<protocol::list_transactions_response>(1).error_code ==
             as_int(error_code::coordinator_load_in_progress));
}

BOOST_AUTO_TEST_CASE(tv2_a_leaders_add_starts_the_transaction_and_end_txn_v5_answers_the_bumped_epoch) {
  auto p = init("t1");
  // A partition leader's add (Produce v12): the transaction starts implicitly.
  protocol::add_partitions_to_txn_request add;
  add.transactions.push_back({.transactional_id = "t1", .producer_id = p.producer_id,
                              .producer_epoch = p.producer_epoch, .verify_only = false,
                              .topics = {{.name = "orders", .partitions = {0}}}});
  call(add, 5);
  auto ar = response<protocol::add_partitions_to_txn_response>(5);
  BOOST_TEST(ar.results_by_transaction.at(0).topic_results.at(0).results_by_partition.at(0).partition_error_code == 0);
  const auto* m = txns.shard.find("t1");
  BOOST_TEST((m->state == txn::txn_state::ongoing));
  BOOST_TEST((m->client_version == txn::txn_version::tv2));

  protocol::end_txn_request end{.transactional_id = "t1", .producer_id = p.producer_id,
                                .producer_epoch = p.producer_epoch, .committed = false};
  call(end, 5);
  auto r = response<protocol::end_txn_response>(5);
  BOOST_TEST(r.error_code == 0);
  BOOST_TEST(r.producer_id == p.producer_id);
  BOOST_TEST(r.producer_epoch == p.producer_epoch + 1);
  BOOST_TEST((txns.shard.find("t1")->state == txn::txn_state::prepare_abort));

  // The zombie's add at the old epoch: PRODUCER_FENCED (v4+ knows it).
  call(add, 5);
  ar = response<protocol::add_partitions_to_txn_response>(5);
  BOOST_TEST(ar.results_by_transaction.at(0).topic_results.at(0).results_by_partition.at(0).partition_error_code ==
             as_int(error_code::producer_fenced));
  // An error answers no producer.
  end.producer_epoch = static_cast<std::int16_t>(p.producer_epoch - 1);
  call(end, 5);
  r = response<protocol::end_txn_response>(5);
  BOOST_TEST(r.error_code == as_int(error_code::producer_fenced));
  BOOST_TEST(r.producer_id == -1);
  BOOST_TEST(r.producer_epoch == -1);
}

BOOST_AUTO_TEST_CASE(end_txn_v4_stays_transaction_version_1) {
  auto p = init("t1");
  protocol::add_partitions_to_txn_request add;
  add.v3_and_below_transactional_id = "t1";
  add.v3_and_below_producer_id = p.producer_id;
  add.v3_and_below_producer_epoch = p.producer_epoch;
  add.v3_and_below_topics = {{.name = "orders", .partitions = {1}}};
  call(add, 3);
  BOOST_TEST((txns.shard.find("t1")->client_version == txn::txn_version::tv0));
  protocol::end_txn_request end{.transactional_id = "t1", .producer_id = p.producer_id,
                                .producer_epoch = p.producer_epoch, .committed = true};
  call(end, 4);
  BOOST_TEST(response<protocol::end_txn_response>(4).error_code == 0);
  BOOST_TEST(txns.shard.find("t1")->producer_epoch == p.producer_epoch);
  BOOST_TEST((txns.shard.find("t1")->client_version == txn::txn_version::tv0));
}

BOOST_AUTO_TEST_SUITE_END()
