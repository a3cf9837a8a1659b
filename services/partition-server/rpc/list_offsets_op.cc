#include "services/partition-server/rpc/list_offsets_op.h"

#include "services/partition-server/actors/type_ids.h"
#include "services/partition-server/partition_state.h"

namespace sluice::partition_server {

void list_offsets_op::start(const messaging::message& request, messaging::responder reply_to, const routes& table) {
  dispatch(std::make_shared<list_offsets_op>(std::move(reply_to)), request, table, offsets_atom::value,
           [](partition::v1::PartitionOffsetResult& r) {
             r.set_timestamp(-1);
             r.set_offset(-1);
             r.set_leader_epoch(-1);
           });
}

void list_offsets_op::answer_at(std::uint32_t index, partition_state& p) {
  const auto& q = header_.partitions(static_cast<int>(index));
  auto outcome = p.list_offset(q.timestamp(), leader_epoch{q.current_leader_epoch()});
  auto* r = response_.mutable_partitions(static_cast<int>(index));
  r->set_error(outcome.error);
  r->set_timestamp(outcome.timestamp);
  r->set_offset(outcome.offset());
  r->set_leader_epoch(outcome.leader_epoch());
  complete_one();
}

}  // namespace sluice::partition_server
