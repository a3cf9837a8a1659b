// EndTxn: commits or aborts the producer's transaction; answered once
// PrepareCommit/PrepareAbort is durable, the markers follow. v5 is
// transaction version 2 (KIP-890 part 2): the epoch is bumped at every end,
// and the answer carries the producer id and epoch the client goes on with
// (a new id at epoch 0 when the epochs ran out). v0-4 end under the
// producer's epoch (transaction version 0/1), whatever started the
// transaction, as Kafka chooses the version by the request.
#include "common/protocol/messages/end_txn.h"
#include "services/group-coordinator/api/api_context.h"

namespace sluice::group_coordinator {

void serve_end_txn(const api_context& ctx) {
  auto req = ctx.decode<protocol::end_txn_request>();
  auto answer = [ctx](txn::transaction_shard::end_answer a) {
    protocol::end_txn_response resp;
    resp.error_code = code(fenced_for(ctx.version, 2, a.error));
    // Kafka answers the producer only on success; otherwise both stay -1.
    if (a.error == error_code::none) {
      resp.producer_id = a.producer_id;
      resp.producer_epoch = a.producer_epoch;
    }
    ctx.respond(resp);
  };
  if (req.transactional_id.empty()) return answer({.error = error_code::invalid_request});
  auto found = ctx.txns->find(req.transactional_id);
  if (!found.shard) return answer({.error = found.error});
  const auto version = ctx.version >= 5 ? txn::txn_version::tv2 : txn::txn_version::tv0;
  found.shard->end_txn(req.transactional_id, {req.producer_id, req.producer_epoch}, req.committed, version,
                       wall_clock_ms(), answer);
}

}  // namespace sluice::group_coordinator
