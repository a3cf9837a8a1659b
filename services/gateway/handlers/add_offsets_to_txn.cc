// AddOffsetsToTxn: forwarded to the transaction coordinator of the
// transactional id (txn_routing.h), which adds the group's
// __consumer_offsets partition to the transaction.
#include "common/protocol/messages/add_offsets_to_txn.h"
#include "services/gateway/handlers/handler.h"
#include "services/gateway/txn_routing.h"

namespace sluice::gateway {

void handle_add_offsets_to_txn(request_context ctx) {
  auto request = ctx.decode<protocol::add_offsets_to_txn_request>();
  forward_transaction_request<protocol::add_offsets_to_txn_response>(std::move(ctx), request.transactional_id, 2);
}

}  // namespace sluice::gateway
