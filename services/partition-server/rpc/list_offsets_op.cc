#include "services/partition-server/rpc/list_offsets_op.h"

#include "services/partition-server/partition_state.h"

namespace sluice::partition_server {

void list_offsets_op::answer_at(std::uint32_t index, partition_state& p) {
  const auto& q = header_.partitions(static_cast<int>(index));
  auto outcome = p.list_offset(q.timestamp(), leader_epoch{q.current_leader_epoch()}, header_.isolation_level() == 1);
  auto* r = response_.mutable_partitions(static_cast<int>(index));
  r->set_error(outcome.error);
  r->set_timestamp(outcome.timestamp);
  r->set_offset(outcome.offset());
  r->set_leader_epoch(outcome.leader_epoch());
  complete_one();
}

}  // namespace sluice::partition_server
