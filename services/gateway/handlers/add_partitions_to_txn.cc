// AddPartitionsToTxn. v0-3 (what producers send) name one transaction:
// forwarded to its transaction coordinator (txn_routing.h) unless a
// partition is not in the metadata, which fails the transaction here as in
// Kafka (txn_partition_checks.h). v4+ (Kafka's inter-broker form) batch
// transactions: each is checked the same way, the rest split by owner,
// re-encoded at the client's version and the results merged; a transaction
// whose owner is missing or unreachable answers COORDINATOR_NOT_AVAILABLE
// for each of its partitions.
#include <algorithm>
#include <memory>

#include "common/protocol/messages/add_partitions_to_txn.h"
#include "services/gateway/handlers/handler.h"
#include "services/gateway/handlers/txn_partition_checks.h"
#include "services/gateway/metadata_cache.h"
#include "services/gateway/txn_routing.h"

namespace sluice::gateway {
namespace {

using request_type = protocol::add_partitions_to_txn_request;
using response_type = protocol::add_partitions_to_txn_response;

// Clients older than v2 cannot read PRODUCER_FENCED (KafkaApis).
constexpr std::int16_t fenced_since = 2;

void fix_fenced(txn_topic_results& results, std::int16_t version) {
  for (auto& topic : results)
    for (auto& p : topic.results_by_partition)
      p.partition_error_code = producer_fenced_for(p.partition_error_code, version, fenced_since);
}

void handle_one_transaction(request_context ctx, const request_type& request) {
  const auto& topics = request.v3_and_below_topics;
  if (auto refused = refuse_unknown_partitions(*ctx.services->metadata.current(), topics)) {
    response_type r;
    r.results_by_topic_v3_and_below = std::move(*refused);
    return ctx.respond(r);
  }
  auto answer_error = [topics](const request_context& c, protocol::error_code e) {
    response_type r;
    r.results_by_topic_v3_and_below = results_for_all(topics, code(e));
    c.respond(r);
  };
  auto relay = [](const request_context& c, std::span<const std::byte> body) {
    if (c.version() >= fenced_since) return relay_response(c, body);
    relay_adjusted<response_type>(c, body,
                                  [&](response_type& r) { fix_fenced(r.results_by_topic_v3_and_below, c.version()); });
  };
  forward_to_transaction_owner(std::move(ctx), request.v3_and_below_transactional_id, std::move(answer_error),
                               std::move(relay));
}

void handle_batch(request_context ctx, std::shared_ptr<request_type> request) {
  auto answer = std::make_shared<response_type>();
  auto view = ctx.services->metadata.current();
  std::vector<std::string> forwarded;
  for (const auto& txn : request->transactions) {
    if (auto refused = refuse_unknown_partitions(*view, txn.topics)) {
      answer->results_by_transaction.push_back({.transactional_id = txn.transactional_id,
                                                .topic_results = std::move(*refused)});
    } else {
      forwarded.push_back(txn.transactional_id);
    }
  }
  fan_out_plan plan;
  route_transactional_ids(*view, forwarded, plan);
  const auto version = ctx.version();
  plan.encode = [request, version](const std::vector<std::string>& ids) {
    request_type part = *request;
    std::erase_if(part.transactions, [&](const auto& txn) {
      return std::find(ids.begin(), ids.end(), txn.transactional_id) == ids.end();
    });
    protocol::writer out;
    part.encode(out, version);
    return out.take();
  };
  plan.absorb = [answer, version](std::span<const std::byte> body) {
    protocol::reader in(body);
    response_type part;
    part.decode(in, version);
    if (part.error_code != 0) answer->error_code = part.error_code;
    for (auto& result : part.results_by_transaction) answer->results_by_transaction.push_back(std::move(result));
  };
  plan.absorb_error = [answer, request](const std::vector<std::string>& ids, protocol::error_code e) {
    for (const auto& txn : request->transactions) {
      if (std::find(ids.begin(), ids.end(), txn.transactional_id) == ids.end()) continue;
      answer->results_by_transaction.push_back(
          {.transactional_id = txn.transactional_id, .topic_results = results_for_all(txn.topics, code(e))});
    }
  };
  plan.finish = [ctx, answer] { ctx.respond(*answer); };
  fan_out(std::move(ctx), std::move(plan));
}

}  // namespace

void handle_add_partitions_to_txn(request_context ctx) {
  auto request = std::make_shared<request_type>(ctx.decode<request_type>());
  if (ctx.version() < 4) return handle_one_transaction(std::move(ctx), *request);
  handle_batch(std::move(ctx), std::move(request));
}

}  // namespace sluice::gateway
