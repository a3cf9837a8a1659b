// DescribeTransactions: each id's state as its coordinator shard holds it
// (what is durable), TRANSACTIONAL_ID_NOT_FOUND for an id it does not hold.
#include <map>

#include "common/protocol/messages/describe_transactions.h"
#include "services/group-coordinator/api/api_context.h"

namespace sluice::group_coordinator {

void serve_describe_transactions(const api_context& ctx) {
  auto req = ctx.decode<protocol::describe_transactions_request>();
  protocol::describe_transactions_response resp;
  for (const auto& id : req.transactional_ids) {
    auto& out = resp.transaction_states.emplace_back();
    out.transactional_id = id;
    if (id.empty()) {
      out.error_code = code(error_code::invalid_request);
      continue;
    }
    auto found = ctx.txns->find(id);
    if (!found.shard) {
      out.error_code = code(found.error);
      continue;
    }
    const auto* m = found.shard->find(id);
    if (m == nullptr) {
      out.error_code = code(error_code::transactional_id_not_found);
      continue;
    }
    out.transaction_state = std::string(txn::name_of(m->state));
    out.transaction_timeout_ms = m->timeout_ms;
    out.transaction_start_time_ms = m->start_timestamp;
    out.producer_id = m->producer_id;
    out.producer_epoch = m->producer_epoch;
    // The set holds each topic's partitions together, in order.
    for (const auto& [topic, partition] : m->partitions) {
      if (out.topics.empty() || out.topics.back().topic != topic) out.topics.push_back({.topic = topic, .partitions = {}});
      out.topics.back().partitions.push_back(partition);
    }
  }
  ctx.respond(resp);
}

}  // namespace sluice::group_coordinator
