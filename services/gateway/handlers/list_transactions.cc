// ListTransactions: asked of every live group coordinator (each lists the
// transactional ids of its shards, filtered by the request), answers merged,
// keeping the ids whose coordinator is the broker id the request was sent to
// (coordinator_lookup.h, broker_map.h): admin clients ask every broker and
// concatenate, so each id must come from one broker only, as in Kafka. Unknown state filters are
// the same on every coordinator and listed once. If a group coordinator
// cannot be reached the answer says COORDINATOR_NOT_AVAILABLE with what the
// others listed.
#include <algorithm>
#include <memory>

#include "common/protocol/messages/list_transactions.h"
#include "services/gateway/group_routing.h"
#include "services/gateway/handlers/handler.h"
#include "services/gateway/metadata_cache.h"
#include "services/gateway/txn_routing.h"

namespace sluice::gateway {

void handle_list_transactions(request_context ctx) {
  using response_type = protocol::list_transactions_response;
  auto view = ctx.services->metadata.current();
  const std::int32_t self = ctx.addressed_broker();
  list_from_every_group_coordinator<protocol::list_transactions_request, response_type>(
      std::move(ctx), [view, self](response_type& answer, response_type& part) {
        for (auto& filter : part.unknown_state_filters) {
          auto& known = answer.unknown_state_filters;
          if (std::find(known.begin(), known.end(), filter) == known.end()) known.push_back(std::move(filter));
        }
        for (auto& txn : part.transaction_states) {
          if (self >= 0 && transaction_broker(*view, txn.transactional_id) == self)
            answer.transaction_states.push_back(std::move(txn));
        }
      });
}

}  // namespace sluice::gateway
