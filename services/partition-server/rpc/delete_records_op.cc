#include "services/partition-server/rpc/delete_records_op.h"

#include <algorithm>

#include "services/partition-server/partition_state.h"

namespace sluice::partition_server {

namespace pv1 = sluice::partition::v1;

bool delete_records_op::answer_at(std::uint32_t index, partition_state& p, std::int64_t now_ms) {
  const int i = static_cast<int>(index);
  auto outcome = p.delete_records(offset{header_.partitions(i).offset()});
  auto* r = response_.mutable_partitions(i);
  r->set_error(outcome.error);
  r->set_policy_violation(outcome.policy_violation);
  if (!outcome.message.empty()) r->set_error_message(std::move(outcome.message));
  if (outcome.error != pv1::PARTITION_OK) {
    complete_one();
    return false;
  }
  const std::int64_t deadline = now_ms + std::max(header_.timeout_ms(), 0);
  p.await_low_watermark(outcome.requested, deadline, [self = shared_from_this(), i](pv1::PartitionError e, offset low) {
    auto* entry = self->response_.mutable_partitions(i);
    entry->set_error(e);
    entry->set_low_watermark(low());
    self->complete_one();
  });
  return true;
}

}  // namespace sluice::partition_server
