#include "services/partition-server/rpc/epoch_offsets_op.h"

#include "services/partition-server/partition_state.h"

namespace sluice::partition_server {

void epoch_offsets_op::answer_at(std::uint32_t index, const partition_state& p) {
  const auto& q = header_.partitions(static_cast<int>(index));
  *response_.mutable_partitions(static_cast<int>(index)) =
      p.end_offset_for_epoch(leader_epoch{q.leader_epoch()}, leader_epoch{q.current_leader_epoch()});
  complete_one();
}

}  // namespace sluice::partition_server
