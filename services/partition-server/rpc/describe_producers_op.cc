#include "services/partition-server/rpc/describe_producers_op.h"

#include "services/partition-server/partition_state.h"

namespace sluice::partition_server {

void describe_producers_op::answer_at(std::uint32_t index, const partition_state& p) {
  *response_.mutable_partitions(static_cast<int>(index)) = p.describe_producers();
  complete_one();
}

}  // namespace sluice::partition_server
