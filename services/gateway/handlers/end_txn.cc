// EndTxn: forwarded to the transaction coordinator of the transactional id
// (txn_routing.h), which answers once the PrepareCommit/PrepareAbort record
// is durable and writes the markers afterwards. v5 (transaction version 2)
// bumps the epoch; its answer carries the producer id and the new epoch,
// relayed untouched (an error the gateway answers itself has both at -1).
#include "common/protocol/messages/end_txn.h"
#include "services/gateway/handlers/handler.h"
#include "services/gateway/txn_routing.h"

namespace sluice::gateway {

void handle_end_txn(request_context ctx) {
  auto request = ctx.decode<protocol::end_txn_request>();
  forward_transaction_request<protocol::end_txn_response>(std::move(ctx), request.transactional_id, 2);
}

}  // namespace sluice::gateway
