// ListTransactions: the transactional ids of every shard this instance
// serves (the gateway asks every instance and merges), filtered by state,
// producer id, running time (v1) and an id pattern (v2), as Kafka filters.
#include <regex>
#include <set>

#include "common/protocol/messages/list_transactions.h"
#include "services/group-coordinator/api/api_context.h"

namespace sluice::group_coordinator {

void serve_list_transactions(const api_context& ctx) {
  auto req = ctx.decode<protocol::list_transactions_request>();
  protocol::list_transactions_response resp;
  if (ctx.txns->loading()) {
    resp.error_code = code(error_code::coordinator_load_in_progress);
    return ctx.respond(resp);
  }
  std::set<txn::txn_state> states;
  for (const auto& name : req.state_filters) {
    if (auto s = txn::state_named(name)) states.insert(*s);
    else resp.unknown_state_filters.push_back(name);
  }
  const std::set<std::int64_t> producer_ids(req.producer_id_filters.begin(), req.producer_id_filters.end());
  // KIP-1152: a regular expression the whole id must match (Java's
  // Pattern.matches; ECMAScript here, which agrees on the common syntax).
  std::optional<std::regex> pattern;
  if (req.transactional_id_pattern && !req.transactional_id_pattern->empty()) {
    try {
      pattern.emplace(*req.transactional_id_pattern);
    } catch (const std::regex_error&) {
      resp.error_code = code(error_code::invalid_regular_expression);
      return ctx.respond(resp);
    }
  }
  const std::int64_t now = wall_clock_ms();
  for (auto* shard : ctx.txns->loaded()) {
    for (const auto& [id, m] : shard->all()) {
      if (!producer_ids.empty() && !producer_ids.count(m.producer_id)) continue;
      if (!req.state_filters.empty() && !states.count(m.state)) continue;
      // Only transactions running longer than the filter (KIP-994).
      if (req.duration_filter >= 0 && now - m.start_timestamp <= req.duration_filter) continue;
      if (pattern && !std::regex_match(id, *pattern)) continue;
      resp.transaction_states.push_back(
          {.transactional_id = id, .producer_id = m.producer_id, .transaction_state = std::string(txn::name_of(m.state))});
    }
  }
  ctx.respond(resp);
}

}  // namespace sluice::group_coordinator
