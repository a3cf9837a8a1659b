// AddPartitionsToTxn: partitions join a producer's transaction. v0-3 is a
// client's one transaction (transaction version 0/1); v4+ is a partition
// leader's and batches transactions (KIP-890), each either only checked
// against the state with verify_only (part 1: does a producer's batch
// belong to an open transaction?) or added, which under transaction
// version 2 starts the transaction implicitly (part 2: Produce v12,
// TxnOffsetCommit v5), as Kafka 4 records it with client version 2. Every
// partition gets an answer; a topic or partition the metadata does not know
// fails the whole transaction as Kafka does (UNKNOWN_TOPIC_OR_PARTITION for
// it, OPERATION_NOT_ATTEMPTED for the rest).
#include <map>
#include <memory>

#include "common/protocol/messages/add_partitions_to_txn.h"
#include "services/group-coordinator/api/api_context.h"

namespace sluice::group_coordinator {

namespace {

using request = protocol::add_partitions_to_txn_request;
using response = protocol::add_partitions_to_txn_response;
using partition_errors = std::map<txn::txn_partition, error_code>;

/// One transaction of the request, whichever form it came in.
struct txn_ask {
  std::string transactional_id;
  std::int64_t producer_id = -1;
  std::int16_t producer_epoch = -1;
  bool verify_only = false;
  std::set<txn::txn_partition> partitions;
};

std::vector<txn_ask> asks_of(const request& req, std::int16_t version) {
  auto partitions_of = [](const std::vector<request::add_partitions_to_txn_topic>& topics) {
    std::set<txn::txn_partition> out;
    for (const auto& t : topics)
      for (auto p : t.partitions) out.insert({t.name, p});
    return out;
  };
  std::vector<txn_ask> asks;
  if (version < 4) {
    asks.push_back({req.v3_and_below_transactional_id, req.v3_and_below_producer_id, req.v3_and_below_producer_epoch,
                    false, partitions_of(req.v3_and_below_topics)});
  } else {
    for (const auto& t : req.transactions)
      asks.push_back({t.transactional_id, t.producer_id, t.producer_epoch, t.verify_only, partitions_of(t.topics)});
  }
  return asks;
}

partition_errors all_with(const std::set<txn::txn_partition>& partitions, error_code e) {
  partition_errors out;
  for (const auto& p : partitions) out[p] = e;
  return out;
}

std::vector<response::add_partitions_to_txn_topic_result> topic_results(const partition_errors& errors) {
  std::vector<response::add_partitions_to_txn_topic_result> out;
  for (const auto& [p, e] : errors) {
    if (out.empty() || out.back().name != p.first) out.push_back({.name = p.first, .results_by_partition = {}});
    out.back().results_by_partition.push_back({.partition_index = p.second, .partition_error_code = code(e)});
  }
  return out;
}

/// The answers of the request's transactions, sent once all are in.
struct gathered {
  std::vector<std::string> ids;
  std::vector<partition_errors> results;
  std::size_t missing = 0;
};

}  // namespace

void serve_add_partitions_to_txn(const api_context& ctx) {
  auto asks = asks_of(ctx.decode<request>(), ctx.version);
  auto state = std::make_shared<gathered>();
  state->ids.reserve(asks.size());
  for (const auto& a : asks) state->ids.push_back(a.transactional_id);
  state->results.resize(asks.size());
  state->missing = asks.size();
  auto finish = [ctx, state] {
    response resp;
    if (ctx.version < 4) {
      resp.results_by_topic_v3_and_below = topic_results(state->results.front());
    } else {
      for (std::size_t i = 0; i < state->ids.size(); ++i)
        resp.results_by_transaction.push_back(
            {.transactional_id = state->ids[i], .topic_results = topic_results(state->results[i])});
    }
    ctx.respond(resp);
  };
  if (asks.empty()) return finish();
  auto set_result = [state, finish](std::size_t i, partition_errors errors) {
    state->results[i] = std::move(errors);
    if (--state->missing == 0) finish();
  };

  for (std::size_t i = 0; i < asks.size(); ++i) {
    const auto& a = asks[i];
    partition_errors unknown;
    for (const auto& p : a.partitions) {
      const auto* t = ctx.topics->find(p.first);
      if (t == nullptr || p.second < 0 || p.second >= t->partitions) unknown[p] = error_code::unknown_topic_or_partition;
    }
    if (!unknown.empty()) {
      auto errors = all_with(a.partitions, error_code::operation_not_attempted);
      for (const auto& [p, e] : unknown) errors[p] = e;
      set_result(i, std::move(errors));
      continue;
    }
    if (a.transactional_id.empty()) {
      set_result(i, all_with(a.partitions, error_code::invalid_request));
      continue;
    }
    auto found = ctx.txns->find(a.transactional_id);
    if (!found.shard) {
      set_result(i, all_with(a.partitions, found.error));
      continue;
    }
    if (a.verify_only) {
      auto d = txn::decide_verify_partitions(found.shard->find(a.transactional_id), a.producer_id, a.producer_epoch,
                                             a.partitions);
      set_result(i, std::move(d.partitions));
      continue;
    }
    const auto txn_version = ctx.version < 4 ? txn::txn_version::tv0 : txn::txn_version::tv2;
    found.shard->add_partitions(a.transactional_id, {a.producer_id, a.producer_epoch}, a.partitions, txn_version,
                                wall_clock_ms(),
                                [set_result, i, partitions = a.partitions, version = ctx.version](error_code e) {
                                  set_result(i, all_with(partitions, fenced_for(version, 2, e)));
                                });
  }
}

}  // namespace sluice::group_coordinator
