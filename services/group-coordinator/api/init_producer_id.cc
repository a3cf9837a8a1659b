// InitProducerId with a transactional id: the producer's id and epoch from
// the id's transaction coordinator shard, once durable (fencing older
// instances, aborting what they left open first). Producers without a
// transactional id are the gateway's: it answers them from its own pool.
#include "common/protocol/messages/init_producer_id.h"
#include "services/group-coordinator/api/api_context.h"

namespace sluice::group_coordinator {

void serve_init_producer_id(const api_context& ctx) {
  auto req = ctx.decode<protocol::init_producer_id_request>();
  auto answer = [ctx](error_code e, std::int64_t producer_id = -1, std::int16_t epoch = -1) {
    protocol::init_producer_id_response resp;
    resp.error_code = code(fenced_for(ctx.version, 4, e));
    resp.producer_id = producer_id;
    resp.producer_epoch = epoch;
    ctx.respond(resp);
  };
  // An empty id is refused, as Kafka (consistent with its client); a null
  // one is never forwarded here.
  if (!req.transactional_id || req.transactional_id->empty()) return answer(error_code::invalid_request);
  // KIP-360: the producer's current id and epoch, both or neither.
  const bool has_id = req.producer_id != txn::no_producer_id;
  const bool has_epoch = req.producer_epoch != txn::no_producer_epoch;
  if (has_id != has_epoch) return answer(error_code::invalid_request);
  std::optional<txn::producer_id_and_epoch> expected;
  if (has_id) expected = txn::producer_id_and_epoch{req.producer_id, req.producer_epoch};

  auto found = ctx.txns->find(*req.transactional_id);
  if (!found.shard) return answer(found.error);
  found.shard->init_producer_id(*req.transactional_id, req.transaction_timeout_ms, expected, wall_clock_ms(),
                                [answer](txn::transaction_shard::init_answer a) {
                                  answer(a.error, a.producer_id, a.producer_epoch);
                                });
}

}  // namespace sluice::group_coordinator
