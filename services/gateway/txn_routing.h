#pragma once
// Where a transactional id lives: partition transaction_partition_for(id) of
// __transaction_state, which the group-coordinator instance owning the same
// partition of __consumer_offsets serves (same shard, same shard epoch: no
// metadata of its own). Requests about one transactional id are forwarded
// to that instance as Kafka bodies (group_routing.h does the forwarding, one
// request at a time per connection); requests about several are split by
// owner. The gateway clients are told to use as the coordinator of an id is
// a fixed hash of its partition, the same on every gateway, so that lists
// merged over all gateways name each id once (list_transactions.cc).
#include <cstdint>
#include <string_view>

#include "common/cluster/metadata_view.h"
#include "services/gateway/group_routing.h"

namespace sluice::gateway {

/// The internal topic of the transaction coordinators.
inline constexpr std::string_view transaction_state_topic = "__transaction_state";

/// Kafka's TransactionStateManager.partitionFor: Utils.abs(id.hashCode()) % 50,
/// the rule of offsets_partition_for.
std::int32_t transaction_partition_for(std::string_view transactional_id);

/// The group coordinator serving `transactional_id` in `view`, or -1 when none is live.
std::int32_t transaction_owner(const cluster::metadata_view& view, std::string_view transactional_id);

/// The gateway FindCoordinator names for `transactional_id` (and the one that
/// lists it in ListTransactions), or -1 when no gateway is registered.
std::int32_t transaction_gateway(const cluster::metadata_view& view, std::string_view transactional_id);

/// Forwards a request about one transactional id to its owner, after the
/// connection's earlier group and transaction requests; `answer_error` answers
/// when there is no live owner or it cannot be reached.
void forward_to_transaction_owner(request_context ctx, std::string_view transactional_id,
                                  std::function<void(const request_context&, protocol::error_code)> answer_error);

/// Splits transactional ids by owner in `view` into plan.targets / plan.unowned.
void route_transactional_ids(const cluster::metadata_view& view, const std::vector<std::string>& ids,
                             fan_out_plan& plan);

}  // namespace sluice::gateway
