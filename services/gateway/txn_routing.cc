#include "services/gateway/txn_routing.h"

#include "common/cluster/group_shards.h"
#include "services/gateway/broker_map.h"

namespace sluice::gateway {

std::int32_t transaction_owner(const cluster::metadata_view& view, std::string_view transactional_id) {
  return cluster::offsets_partition_owner(view, cluster::transaction_partition_for(transactional_id));
}

std::int32_t transaction_broker(const cluster::metadata_view& view, std::string_view transactional_id) {
  return coordinator_broker(view, cluster::transaction_state_topic, cluster::transaction_partition_for(transactional_id));
}

void forward_to_transaction_owner(request_context ctx, std::string_view transactional_id,
                                  std::function<void(const request_context&, protocol::error_code)> answer_error,
                                  answer_relay relay) {
  const auto shard = cluster::transaction_partition_for(transactional_id);
  forward_to_shard_owner(std::move(ctx), shard, group_call_timeout, std::move(answer_error), std::move(relay));
}

void route_transactional_ids(const cluster::metadata_view& view, const std::vector<std::string>& ids,
                             fan_out_plan& plan) {
  route_by_shard(view, ids, [](std::string_view id) { return cluster::transaction_partition_for(id); }, plan);
}

}  // namespace sluice::gateway
