#pragma once
// Sends the leaders' ISR proposals to the coordinator, batched.
#include <cstdint>
#include <functional>
#include <memory>

#include <caf/event_based_actor.hpp>

#include "common/cluster/coordinator_client.h"
#include "services/partition-server/actors/type_ids.h"

namespace sluice::partition_server {

/// Who is sending, as the coordinator fences it: node id, registration
/// epoch, and the controller epoch of the metadata we act on.
struct sender_identity {
  std::int32_t node_id = -1;
  std::uint64_t registration_epoch = 0;
  std::uint64_t controller_epoch = 0;
};

/// One per server. (isr_atom, PartitionIsrChange, partition actor) queues a
/// proposal; proposals arriving within a few milliseconds share one
/// AlterPartition RPC. Each partition actor gets its PartitionIsrResult back
/// (isr_result_atom) — also when the whole call failed, so it can propose
/// again later.
caf::behavior isr_sender(caf::event_based_actor* self, std::shared_ptr<cluster::coordinator_client> coordinator,
                         std::function<sender_identity()> identity);

}  // namespace sluice::partition_server
