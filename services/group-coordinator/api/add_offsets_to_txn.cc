// AddOffsetsToTxn: the group's partition of __consumer_offsets joins the
// transaction (its markers will carry the offsets TxnOffsetCommit wrote).
// Only clients at transaction version 0/1 send it (under version 2
// TxnOffsetCommit v5 has the group coordinator add the partition), so the
// transaction records client version 0, as Kafka's does.
#include "common/cluster/group_shards.h"
#include "common/protocol/messages/add_offsets_to_txn.h"
#include "services/group-coordinator/api/api_context.h"

namespace sluice::group_coordinator {

void serve_add_offsets_to_txn(const api_context& ctx) {
  auto req = ctx.decode<protocol::add_offsets_to_txn_request>();
  auto answer = [ctx](error_code e) {
    protocol::add_offsets_to_txn_response resp;
    resp.error_code = code(fenced_for(ctx.version, 2, e));
    ctx.respond(resp);
  };
  if (req.transactional_id.empty()) return answer(error_code::invalid_request);
  auto found = ctx.txns->find(req.transactional_id);
  if (!found.shard) return answer(found.error);
  const txn::txn_partition offsets{std::string(cluster::offsets_topic), cluster::offsets_partition_for(req.group_id)};
  found.shard->add_partitions(req.transactional_id, {req.producer_id, req.producer_epoch}, {offsets},
                              txn::txn_version::tv0, wall_clock_ms(), answer);
}

}  // namespace sluice::group_coordinator
