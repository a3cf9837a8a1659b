// The group coordinator's handlers for transactions, driven as the service
// drives them (encoded Kafka bodies, the marker RPC's protobuf) over a shard
// with a fake log and a fake transaction coordinator: TxnOffsetCommit has
// its offsets partition verified (v0-4) or added (v5+) first, with Kafka's
// answers for a refusal, a group's commits written in arrival order and a
// marker in between refusing the commit it overtook; it writes a
// transactional batch whose offsets stay invisible, OffsetFetch with
// require_stable answers UNSTABLE_OFFSET_COMMIT while they are pending, and
// markers (method write_txn_markers_group) are written for the shards we
// own and refused (NOT_LEADER) for the others.
#define BOOST_TEST_MODULE group_coordinator_api
#include <boost/test/unit_test.hpp>

#include <map>

#include "common/cluster/group_shards.h"
#include "common/protocol/messages/offset_fetch.h"
#include "common/protocol/messages/txn_offset_commit.h"
#include "services/group-coordinator/api/api_context.h"
#include "services/group-coordinator/api/write_txn_markers.h"
#include "tests/unit/group-coordinator/shard_test_util.h"

using namespace sluice::group_coordinator;
using namespace sluice::group_coordinator::test;
namespace pv1 = sluice::partition::v1;
namespace proto = sluice::protocol;

namespace {

const std::int32_t group_partition = sluice::cluster::offsets_partition_for("g");
constexpr txn_producer producer{4000, 2};

/// The shards a test's instance serves: "g"'s, loaded, unless a test says otherwise.
struct fake_directory : shard_directory {
  std::map<std::int32_t, shard_lookup> partitions;
  shard_lookup find(const std::string& group) override {
    return find_partition(sluice::cluster::offsets_partition_for(group));
  }
  shard_lookup find_partition(std::int32_t partition) override {
    auto it = partitions.find(partition);
    return it == partitions.end() ? shard_lookup{nullptr, error_code::not_coordinator} : it->second;
  }
  std::vector<group_shard*> loaded() override {
    std::vector<group_shard*> out;
    for (auto& [p, found] : partitions)
      if (found.shard) out.push_back(found.shard);
    return out;
  }
};

/// The transaction coordinator as the tests play it: answers every check at
/// once with `instant`, or, when that is unset, holds it until answer().
struct fake_checker : txn_offsets_checker {
  using request = sluice::cluster::txn_check_request;
  using result = sluice::cluster::txn_check_result;
  std::optional<std::int16_t> instant = 0;
  std::vector<request> requests;  // every check, in order
  std::vector<std::pair<request, std::function<void(result)>>> held;

  void check(request r, std::function<void(result)> done) override {
    requests.push_back(r);
    if (instant) return done(answer_for(r, *instant));
    held.emplace_back(std::move(r), std::move(done));
  }
  /// Answers the `i`th check still held with `code` for all its partitions.
  void answer(std::size_t i, std::int16_t code) {
    auto [r, done] = std::move(held.at(i));
    held.erase(held.begin() + static_cast<std::ptrdiff_t>(i));
    done(answer_for(r, code));
  }
  static result answer_for(const request& r, std::int16_t code) {
    result out;
    for (const auto& tp : r.partitions) out[tp] = code;
    return out;
  }
};

struct api_fixture {
  group_options options;
  fake_record_log log;
  fake_checker checker;
  group_shard shard{group_partition, 1, options, log};
  fake_directory shards;
  topic_catalog topics;
  api_fixture() {
    shards.partitions[group_partition] = {&shard, error_code::none};
    topics.add("orders", sluice::protocol::uuid{}, 4);
  }

  /// Runs `serve` on `request` at `version`; the answer, once there is one.
  template <class Response, class Request>
  std::optional<Response> call(void (*serve)(const api_context&), const Request& request, std::int16_t version,
                               std::optional<Response>& out) {
    proto::writer w;
    request.encode(w, version);
    api_context ctx;
    ctx.version = version;
    ctx.body = std::make_shared<const std::vector<std::byte>>(w.take());
    ctx.shards = &shards;
    ctx.topics = &topics;
    ctx.options = &options;
    ctx.txn_checker = &checker;
    ctx.send = [&out, version](std::vector<std::byte> body) {
      proto::reader r{std::span<const std::byte>(body)};
      Response response;
      response.decode(r, version);
      out = std::move(response);
    };
    serve(ctx);
    return out;
  }

  proto::txn_offset_commit_request txn_commit(std::vector<std::pair<std::string, std::int32_t>> partitions,
                                              std::int64_t offset) const {
    proto::txn_offset_commit_request req;
    req.transactional_id = "tx";
    req.group_id = "g";
    req.producer_id = producer.id;
    req.producer_epoch = producer.epoch;
    for (const auto& [topic, partition] : partitions) {
      auto& t = req.topics.emplace_back();
      t.name = topic;
      auto& p = t.partitions.emplace_back();
      p.partition_index = partition;
      p.committed_offset = offset;
    }
    return req;
  }

  std::int16_t txn_commit_error(const proto::txn_offset_commit_request& req, std::int16_t version) {
    std::optional<proto::txn_offset_commit_response> answer;
    call(serve_txn_offset_commit, req, version, answer);
    log.complete();
    BOOST_REQUIRE(answer);
    return answer->topics.at(0).partitions.at(0).error_code;
  }

  /// OffsetFetch v7 for orders-0 and orders-1.
  proto::offset_fetch_response fetch_v7(bool require_stable) {
    proto::offset_fetch_request req;
    req.group_id = "g";
    req.topics = std::vector<proto::offset_fetch_request::offset_fetch_request_topic>{{"orders", {0, 1}}};
    req.require_stable = require_stable;
    std::optional<proto::offset_fetch_response> answer;
    call(serve_offset_fetch, req, 7, answer);
    BOOST_REQUIRE(answer);
    return *answer;
  }

  pv1::WriteTxnMarkersResponse markers(const pv1::WriteTxnMarkersRequest& req, bool complete = true) {
    std::optional<pv1::WriteTxnMarkersResponse> answer;
    serve_write_txn_markers(req, shards, [&](pv1::WriteTxnMarkersResponse r) { answer = std::move(r); });
    if (complete) log.complete();
    BOOST_REQUIRE(answer);
    return *answer;
  }
};

pv1::WriteTxnMarkersRequest marker_request(bool commit, std::vector<std::pair<std::string, std::int32_t>> partitions) {
  pv1::WriteTxnMarkersRequest req;
  auto* m = req.add_markers();
  m->set_producer_id(producer.id);
  m->set_producer_epoch(producer.epoch);
  m->set_committed(commit);
  m->set_coordinator_epoch(3);
  for (const auto& [topic, partition] : partitions) {
    auto* p = m->add_partitions();
    p->set_topic(topic);
    p->set_partition(partition);
  }
  return req;
}

std::int64_t committed(const group_shard& shard, std::int32_t partition) {
  const auto* offsets = shard.offsets("g");
  if (!offsets || !offsets->count({"orders", partition})) return -1;
  return offsets->at({"orders", partition}).offset;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(group_transaction_apis)

BOOST_FIXTURE_TEST_CASE(txn_offset_commit_writes_a_transactional_batch_that_stays_pending, api_fixture) {
  std::optional<proto::txn_offset_commit_response> answer;
  call(serve_txn_offset_commit, txn_commit({{"orders", 0}, {"orders", 1}}, 42), 3, answer);
  BOOST_TEST(!answer);  // answered once durable
  BOOST_REQUIRE(log.pending.size() == 1u);
  BOOST_REQUIRE(log.pending[0].first.producer);
  BOOST_TEST(log.pending[0].first.producer->id == producer.id);
  BOOST_TEST(log.pending[0].first.producer->epoch == producer.epoch);
  log.complete();
  BOOST_REQUIRE(answer);
  BOOST_TEST(answer->topics.at(0).partitions.at(0).error_code == 0);
  BOOST_TEST(answer->topics.at(1).partitions.at(0).error_code == 0);
  BOOST_TEST(committed(shard, 0) == -1);
  BOOST_TEST(shard.pending(producer.id, "g", {"orders", 1})->offset == 42);
}

BOOST_FIXTURE_TEST_CASE(txn_offset_commit_refuses_as_kafka_does, api_fixture) {
  // A partition the metadata does not have, next to one it has.
  std::optional<proto::txn_offset_commit_response> answer;
  auto req = txn_commit({{"orders", 0}, {"orders", 9}, {"nope", 0}}, 1);
  call(serve_txn_offset_commit, req, 3, answer);
  log.complete();
  BOOST_REQUIRE(answer);
  BOOST_TEST(answer->topics.at(0).partitions.at(0).error_code == 0);
  BOOST_TEST(answer->topics.at(1).partitions.at(0).error_code == code(error_code::unknown_topic_or_partition));
  BOOST_TEST(answer->topics.at(2).partitions.at(0).error_code == code(error_code::unknown_topic_or_partition));
  BOOST_TEST(!shard.has_pending("g", {"orders", 9}));

  auto no_producer = txn_commit({{"orders", 0}}, 1);
  no_producer.producer_id = -1;
  BOOST_TEST(txn_commit_error(no_producer, 3) == code(error_code::invalid_producer_id_mapping));
  auto no_group = txn_commit({{"orders", 0}}, 1);
  no_group.group_id = "";
  BOOST_TEST(txn_commit_error(no_group, 3) == code(error_code::invalid_group_id));
  auto member = txn_commit({{"orders", 0}}, 1);
  member.member_id = "m";
  member.generation_id = 4;
  // "g" exists now (a simple group, from the commit above) and has no such member.
  BOOST_TEST(txn_commit_error(member, 3) == code(error_code::unknown_member_id));

  shards.partitions[group_partition] = {nullptr, error_code::coordinator_load_in_progress};
  BOOST_TEST(txn_commit_error(txn_commit({{"orders", 0}}, 1), 2) == code(error_code::coordinator_load_in_progress));
  // Clients before v2 know only COORDINATOR_NOT_AVAILABLE there (KAFKA-7296).
  BOOST_TEST(txn_commit_error(txn_commit({{"orders", 0}}, 1), 1) == code(error_code::coordinator_not_available));
  shards.partitions.clear();
  BOOST_TEST(txn_commit_error(txn_commit({{"orders", 0}}, 1), 3) == code(error_code::not_coordinator));
}

BOOST_FIXTURE_TEST_CASE(offset_fetch_with_require_stable_answers_unstable_while_pending, api_fixture) {
  shard.commit("g", {{{"orders", 0}, at(5)}, {{"orders", 1}, at(6)}}, [](error_code) {});
  shard.commit_transactional("g", producer, {{{"orders", 0}, at(50)}}, [](error_code) {});
  log.complete();

  auto stable = fetch_v7(true);
  const auto& p0 = stable.topics.at(0).partitions.at(0);
  BOOST_TEST(p0.error_code == code(error_code::unstable_offset_commit));
  BOOST_TEST(p0.committed_offset == -1);
  BOOST_TEST(stable.topics.at(0).partitions.at(1).error_code == 0);
  BOOST_TEST(stable.topics.at(0).partitions.at(1).committed_offset == 6);
  // Without require_stable: the committed offset, as Kafka answers.
  auto plain = fetch_v7(false);
  BOOST_TEST(plain.topics.at(0).partitions.at(0).error_code == 0);
  BOOST_TEST(plain.topics.at(0).partitions.at(0).committed_offset == 5);

  // v8: several groups, all of a group's offsets (null topics).
  proto::offset_fetch_request req;
  auto& g = req.groups.emplace_back();
  g.group_id = "g";
  g.topics = std::nullopt;
  req.require_stable = true;
  std::optional<proto::offset_fetch_response> answer;
  call(serve_offset_fetch, req, 8, answer);
  BOOST_REQUIRE(answer);
  const auto& all = answer->groups.at(0).topics.at(0).partitions;
  BOOST_REQUIRE(all.size() == 2u);
  BOOST_TEST(all.at(0).error_code == code(error_code::unstable_offset_commit));
  BOOST_TEST(all.at(1).committed_offset == 6);

  // Once the transaction commits, the partition is stable at its offset.
  markers(marker_request(true, {{"__consumer_offsets", group_partition}}));
  auto after = fetch_v7(true);
  BOOST_TEST(after.topics.at(0).partitions.at(0).error_code == 0);
  BOOST_TEST(after.topics.at(0).partitions.at(0).committed_offset == 50);
}

BOOST_FIXTURE_TEST_CASE(markers_are_written_for_our_shards_and_refused_for_others, api_fixture) {
  shard.commit_transactional("g", producer, {{{"orders", 0}, at(50)}}, [](error_code) {});
  log.complete();
  const std::int32_t loading = (group_partition + 1) % 50;
  const std::int32_t not_ours = (group_partition + 2) % 50;
  shards.partitions[loading] = {nullptr, error_code::coordinator_load_in_progress};
  auto req = marker_request(true, {{"__consumer_offsets", not_ours},
                                   {"__consumer_offsets", group_partition},
                                   {"__consumer_offsets", loading},
                                   {"orders", 0}});
  std::optional<pv1::WriteTxnMarkersResponse> answer;
  serve_write_txn_markers(req, shards, [&](pv1::WriteTxnMarkersResponse r) { answer = std::move(r); });
  BOOST_TEST(!answer);  // waits for our shard's marker to be durable
  BOOST_REQUIRE(log.pending.size() == 1u);
  BOOST_REQUIRE(log.pending[0].first.marker);
  BOOST_TEST(log.pending[0].first.marker->commit);
  BOOST_TEST(log.pending[0].first.marker->coordinator_epoch == 3);
  BOOST_TEST(log.pending[0].first.marker->producer.epoch == producer.epoch);
  log.complete();
  BOOST_REQUIRE(answer);
  BOOST_REQUIRE(answer->markers_size() == 1);
  const auto& m = answer->markers(0);
  BOOST_TEST(m.producer_id() == producer.id);
  BOOST_REQUIRE(m.partitions_size() == 4);
  BOOST_TEST(m.partitions(0).partition() == not_ours);
  BOOST_TEST(m.partitions(0).error() == pv1::NOT_LEADER);
  BOOST_TEST(m.partitions(1).error() == pv1::PARTITION_OK);
  BOOST_TEST(m.partitions(2).error() == pv1::NOT_LEADER);  // Kafka: NOT_LEADER_OR_FOLLOWER while loading
  BOOST_TEST(m.partitions(3).error() == pv1::UNKNOWN_PARTITION);
  BOOST_TEST(committed(shard, 0) == 50);
}

BOOST_FIXTURE_TEST_CASE(a_marker_the_log_refuses_is_answered_with_its_error, api_fixture) {
  shard.commit_transactional("g", producer, {{{"orders", 0}, at(50)}}, [](error_code) {});
  log.complete();
  std::optional<pv1::WriteTxnMarkersResponse> answer;
  serve_write_txn_markers(marker_request(false, {{"__consumer_offsets", group_partition}}), shards,
                          [&](pv1::WriteTxnMarkersResponse r) { answer = std::move(r); });
  log.complete(error_code::transaction_coordinator_fenced);
  BOOST_REQUIRE(answer);
  BOOST_TEST(answer->markers(0).partitions(0).error() == pv1::TRANSACTION_COORDINATOR_FENCED);
  BOOST_TEST(shard.has_pending("g", {"orders", 0}));  // not aborted: the marker is not in the log

  // Our shard moved away while the marker was under way: NOT_LEADER, retried elsewhere.
  answer.reset();
  serve_write_txn_markers(marker_request(false, {{"__consumer_offsets", group_partition}}), shards,
                          [&](pv1::WriteTxnMarkersResponse r) { answer = std::move(r); });
  shard.close();
  BOOST_REQUIRE(answer);
  BOOST_TEST(answer->markers(0).partitions(0).error() == pv1::NOT_LEADER);
}

BOOST_AUTO_TEST_CASE(marker_errors_map_to_what_the_transaction_coordinator_retries) {
  BOOST_TEST(marker_partition_error(error_code::not_coordinator) == pv1::NOT_LEADER);
  BOOST_TEST(marker_partition_error(error_code::coordinator_not_available) == pv1::NOT_LEADER);
  BOOST_TEST(marker_partition_error(error_code::producer_fenced) == pv1::PRODUCER_FENCED);
  BOOST_TEST(marker_partition_error(error_code::invalid_producer_epoch) == pv1::INVALID_PRODUCER_EPOCH);
  BOOST_TEST(marker_partition_error(error_code::not_enough_replicas) == pv1::NOT_ENOUGH_REPLICAS);
  BOOST_TEST(marker_partition_error(error_code::unknown_server_error) == pv1::STORAGE_ERROR);
}

BOOST_FIXTURE_TEST_CASE(txn_offset_commit_has_its_partition_verified_before_writing, api_fixture) {
  checker.instant.reset();
  std::optional<proto::txn_offset_commit_response> answer;
  call(serve_txn_offset_commit, txn_commit({{"orders", 0}}, 7), 4, answer);
  // v4: verify only, for the group's __consumer_offsets partition; nothing written meanwhile.
  BOOST_REQUIRE(checker.requests.size() == 1u);
  const auto& asked = checker.requests[0];
  BOOST_TEST(asked.transactional_id == "tx");
  BOOST_TEST(asked.producer_id == producer.id);
  BOOST_TEST(asked.producer_epoch == producer.epoch);
  BOOST_TEST(!asked.add);
  BOOST_REQUIRE(asked.partitions.size() == 1u);
  BOOST_TEST(asked.partitions[0].first == "__consumer_offsets");
  BOOST_TEST(asked.partitions[0].second == group_partition);
  BOOST_TEST(log.pending.empty());
  BOOST_TEST(!answer);
  checker.answer(0, 0);
  BOOST_REQUIRE(log.pending.size() == 1u);
  BOOST_TEST(log.pending[0].first.producer->id == producer.id);
  log.complete();
  BOOST_REQUIRE(answer);
  BOOST_TEST(answer->topics.at(0).partitions.at(0).error_code == 0);
  BOOST_TEST(shard.pending(producer.id, "g", {"orders", 0})->offset == 7);

  // An ongoing transaction of the producer here needs no second check (Kafka's too).
  answer.reset();
  call(serve_txn_offset_commit, txn_commit({{"orders", 1}}, 8), 4, answer);
  BOOST_TEST(checker.requests.size() == 1u);
  log.complete();
  BOOST_REQUIRE(answer);
  BOOST_TEST(answer->topics.at(0).partitions.at(0).error_code == 0);
}

BOOST_FIXTURE_TEST_CASE(txn_offset_commit_v5_adds_the_partition_to_the_transaction, api_fixture) {
  std::optional<proto::txn_offset_commit_response> answer;
  call(serve_txn_offset_commit, txn_commit({{"orders", 0}}, 7), 5, answer);
  BOOST_REQUIRE(checker.requests.size() == 1u);
  BOOST_TEST(checker.requests[0].add);  // transaction version 2: no AddOffsetsToTxn before
  log.complete();
  BOOST_REQUIRE(answer);
  BOOST_TEST(answer->topics.at(0).partitions.at(0).error_code == 0);
  BOOST_TEST(shard.has_pending("g", {"orders", 0}));
}

BOOST_FIXTURE_TEST_CASE(pending_offsets_of_an_older_epoch_do_not_spare_the_next_transaction_its_check,
                        api_fixture) {
  // Transaction version 2: EndTxn bumped the epoch and the marker of the
  // transaction before is still on its way, so its offsets are pending. The
  // next transaction's commit must still have the partition added to it,
  // or no marker would ever come for its own offsets.
  std::optional<proto::txn_offset_commit_response> answer;
  call(serve_txn_offset_commit, txn_commit({{"orders", 0}}, 7), 5, answer);
  log.complete();
  BOOST_REQUIRE(answer);
  BOOST_REQUIRE(checker.requests.size() == 1u);

  answer.reset();
  auto next = txn_commit({{"orders", 0}}, 9);
  next.producer_epoch = static_cast<std::int16_t>(producer.epoch + 1);
  call(serve_txn_offset_commit, next, 5, answer);
  BOOST_REQUIRE(checker.requests.size() == 2u);
  BOOST_TEST(checker.requests[1].add);
  BOOST_TEST(checker.requests[1].producer_epoch == next.producer_epoch);
  log.complete();
  BOOST_REQUIRE(answer);
  BOOST_TEST(answer->topics.at(0).partitions.at(0).error_code == 0);
}

BOOST_FIXTURE_TEST_CASE(a_refused_check_answers_every_partition_as_kafka_does_and_writes_nothing, api_fixture) {
  using ec = error_code;
  struct expectation {
    ec coordinator;
    std::int16_t version;
    ec answered;
  };
  const std::vector<expectation> table{
      {ec::invalid_txn_state, 4, ec::invalid_txn_state},  // not in the transaction (no AddOffsetsToTxn)
      {ec::producer_fenced, 5, ec::invalid_producer_epoch},
      {ec::invalid_producer_epoch, 3, ec::invalid_producer_epoch},
      {ec::transaction_abortable, 4, ec::transaction_abortable},
      {ec::transaction_abortable, 3, ec::invalid_txn_state},  // unknown to clients before v4
      {ec::concurrent_transactions, 5, ec::concurrent_transactions},
      {ec::network_exception, 3, ec::coordinator_load_in_progress},
      {ec::network_exception, 1, ec::coordinator_not_available},  // KAFKA-7296
      {ec::coordinator_not_available, 4, ec::coordinator_not_available},
      {ec::not_coordinator, 4, ec::not_coordinator},
      {ec::coordinator_load_in_progress, 4, ec::coordinator_load_in_progress},
      {ec::invalid_producer_id_mapping, 4, ec::invalid_producer_id_mapping},
      {ec::cluster_authorization_failed, 4, ec::invalid_txn_state},
  };
  options.max_metadata_size = 10;
  for (const auto& [coordinator, version, answered] : table) {
    checker.instant = code(coordinator);
    // A partition too large and one of an unknown topic beside a good one.
    auto req = txn_commit({{"orders", 0}, {"orders", 1}, {"nope", 0}}, 3);
    req.topics[1].partitions[0].committed_metadata = std::string(11, 'x');
    std::optional<proto::txn_offset_commit_response> answer;
    call(serve_txn_offset_commit, req, version, answer);
    BOOST_TEST_CONTEXT("coordinator " << code(coordinator) << " v" << version) {
      BOOST_REQUIRE(answer);
      BOOST_TEST(answer->topics.at(0).partitions.at(0).error_code == code(answered));
      BOOST_TEST(answer->topics.at(1).partitions.at(0).error_code == code(answered));
      BOOST_TEST(answer->topics.at(2).partitions.at(0).error_code == code(ec::unknown_topic_or_partition));
      BOOST_TEST(log.pending.empty());
    }
  }
  BOOST_TEST(!shard.has_pending("g", {"orders", 0}));

  // Verified, then validated: a partition too large answers only for itself.
  checker.instant = 0;
  auto req = txn_commit({{"orders", 0}, {"orders", 1}}, 3);
  req.topics[1].partitions[0].committed_metadata = std::string(11, 'x');
  std::optional<proto::txn_offset_commit_response> answer;
  call(serve_txn_offset_commit, req, 4, answer);
  log.complete();
  BOOST_REQUIRE(answer);
  BOOST_TEST(answer->topics.at(0).partitions.at(0).error_code == 0);
  BOOST_TEST(answer->topics.at(1).partitions.at(0).error_code == code(ec::offset_metadata_too_large));
}

BOOST_AUTO_TEST_CASE(check_answers_map_as_kafka_maps_them_for_txn_offset_commit) {
  using ec = error_code;
  auto map = [](ec e, std::int16_t version) { return txn_offset_check_error(code(e), version); };
  BOOST_TEST(code(map(ec::none, 4)) == 0);
  BOOST_TEST(code(map(ec::unknown_topic_or_partition, 4)) == code(ec::coordinator_not_available));
  BOOST_TEST(code(map(ec::not_enough_replicas, 4)) == code(ec::coordinator_not_available));
  BOOST_TEST(code(map(ec::request_timed_out, 4)) == code(ec::coordinator_not_available));
  BOOST_TEST(code(map(ec::not_leader_or_follower, 4)) == code(ec::not_coordinator));
  BOOST_TEST(code(map(ec::kafka_storage_error, 4)) == code(ec::not_coordinator));
  BOOST_TEST(code(map(ec::unknown_server_error, 4)) == code(ec::unknown_server_error));
  BOOST_TEST(code(txn_offset_check_error(9999, 4)) == 9999);  // an unknown code passes as it is
}

BOOST_FIXTURE_TEST_CASE(a_groups_commits_are_written_in_arrival_order_whatever_order_their_checks_answer,
                        api_fixture) {
  checker.instant.reset();
  std::optional<proto::txn_offset_commit_response> first, second, other_group;
  call(serve_txn_offset_commit, txn_commit({{"orders", 0}}, 10), 4, first);
  auto later = txn_commit({{"orders", 0}}, 20);
  later.transactional_id = "tx2";
  later.producer_id = producer.id + 1;
  call(serve_txn_offset_commit, later, 4, second);
  BOOST_REQUIRE(checker.held.size() == 2u);
  // The later commit's check answers first: it waits for the earlier one.
  checker.answer(1, 0);
  BOOST_TEST(log.pending.empty());
  BOOST_TEST(!second);
  checker.answer(0, 0);
  BOOST_REQUIRE(log.pending.size() == 2u);
  BOOST_TEST(log.pending[0].first.producer->id == producer.id);
  BOOST_TEST(log.pending[1].first.producer->id == producer.id + 1);
  log.complete();
  BOOST_REQUIRE(first);
  BOOST_REQUIRE(second);
  BOOST_TEST(second->topics.at(0).partitions.at(0).error_code == 0);

  // A refused earlier commit does not hold the later one back, nor refuse it.
  first.reset();
  call(serve_txn_offset_commit, txn_commit({{"orders", 1}}, 11), 4, first);
  BOOST_TEST(log.pending.size() == 1u);  // producer has pending offsets here: no check, written at once
  log.complete();
  auto third = txn_commit({{"orders", 2}}, 30);
  third.transactional_id = "tx3";
  third.producer_id = producer.id + 2;
  auto fourth = txn_commit({{"orders", 2}}, 40);
  fourth.transactional_id = "tx4";
  fourth.producer_id = producer.id + 3;
  std::optional<proto::txn_offset_commit_response> a3, a4;
  call(serve_txn_offset_commit, third, 4, a3);
  call(serve_txn_offset_commit, fourth, 4, a4);
  checker.answer(0, code(error_code::invalid_txn_state));
  BOOST_REQUIRE(a3);
  BOOST_TEST(a3->topics.at(0).partitions.at(0).error_code == code(error_code::invalid_txn_state));
  checker.answer(0, 0);
  log.complete();
  BOOST_REQUIRE(a4);
  BOOST_TEST(a4->topics.at(0).partitions.at(0).error_code == 0);
  BOOST_TEST(shard.pending(producer.id + 3, "g", {"orders", 2})->offset == 40);
  BOOST_TEST(!shard.pending(producer.id + 2, "g", {"orders", 2}));
}

BOOST_FIXTURE_TEST_CASE(a_marker_written_while_the_check_is_out_refuses_the_commit, api_fixture) {
  checker.instant.reset();
  std::optional<proto::txn_offset_commit_response> answer;
  call(serve_txn_offset_commit, txn_commit({{"orders", 0}}, 7), 4, answer);
  BOOST_REQUIRE(checker.held.size() == 1u);
  // The transaction ends (its coordinator writes our marker) before the
  // check's answer, which found it ongoing, comes back.
  markers(marker_request(false, {{"__consumer_offsets", group_partition}}));
  checker.answer(0, 0);
  BOOST_REQUIRE(answer);
  BOOST_TEST(answer->topics.at(0).partitions.at(0).error_code == code(error_code::invalid_txn_state));
  BOOST_TEST(log.pending.empty());
  BOOST_TEST(!shard.has_pending("g", {"orders", 0}));  // nothing left pending with no marker to come

  // The producer's next transaction verifies anew.
  answer.reset();
  call(serve_txn_offset_commit, txn_commit({{"orders", 0}}, 8), 4, answer);
  BOOST_REQUIRE(checker.held.size() == 1u);
  checker.answer(0, 0);
  log.complete();
  BOOST_REQUIRE(answer);
  BOOST_TEST(answer->topics.at(0).partitions.at(0).error_code == 0);
  BOOST_TEST(shard.pending(producer.id, "g", {"orders", 0})->offset == 8);
}

BOOST_FIXTURE_TEST_CASE(commits_waiting_for_their_check_are_refused_when_the_shard_moves_away, api_fixture) {
  checker.instant.reset();
  std::optional<proto::txn_offset_commit_response> answer;
  call(serve_txn_offset_commit, txn_commit({{"orders", 0}}, 7), 4, answer);
  shard.close();
  BOOST_REQUIRE(answer);
  BOOST_TEST(answer->topics.at(0).partitions.at(0).error_code == code(error_code::not_coordinator));
  answer.reset();
  checker.answer(0, 0);  // too late: nothing happens
  BOOST_TEST(!answer);
  BOOST_TEST(log.pending.empty());
}

BOOST_AUTO_TEST_SUITE_END()
