// EndTxn: commits or aborts the producer's transaction; answered once
// PrepareCommit/PrepareAbort is durable, the markers follow.
#include "common/protocol/messages/end_txn.h"
#include "services/group-coordinator/api/api_context.h"

namespace sluice::group_coordinator {

void serve_end_txn(const api_context& ctx) {
  auto req = ctx.decode<protocol::end_txn_request>();
  auto answer = [ctx, id = req.transactional_id](error_code e) {
    protocol::end_txn_response resp;
    resp.error_code = code(fenced_for(ctx.version, 2, e));
    // v5 carries the producer's id and epoch on success (the same ones:
    // no epoch bump per transaction without transaction version 2).
    if (e == error_code::none)
      if (auto found = ctx.txns->find(id); found.shard)
        if (const auto* m = found.shard->find(id)) {
          resp.producer_id = m->producer_id;
          resp.producer_epoch = m->producer_epoch;
        }
    ctx.respond(resp);
  };
  if (req.transactional_id.empty()) return answer(error_code::invalid_request);
  auto found = ctx.txns->find(req.transactional_id);
  if (!found.shard) return answer(found.error);
  found.shard->end_txn(req.transactional_id, req.producer_id, req.producer_epoch, req.committed, wall_clock_ms(),
                       answer);
}

}  // namespace sluice::group_coordinator
