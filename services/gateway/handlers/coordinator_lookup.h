#pragma once
// FindCoordinator's answer for one key, from the metadata alone (pure, so
// unit-tested without a cluster). The coordinator clients are told of is a
// broker Metadata lists, at its gateway's address (broker_map.h): for a
// group (key type 0) group_broker, for a transactional id (key type 1)
// transaction_broker (txn_routing.h), a fixed hash of the key's shard; every
// gateway gives the same answer, and each key is listed by that broker id
// only (ListGroups, ListTransactions). That gateway forwards the key's
// requests to the group coordinator owning the shard, as any gateway would.
// COORDINATOR_NOT_AVAILABLE while no group coordinator owns the key's shard
// or no partition server or gateway is registered; INVALID_REQUEST for any
// other key type (Kafka's CoordinatorType.forId).
#include <cstdint>
#include <string>
#include <string_view>

#include "common/cluster/metadata_view.h"
#include "common/protocol/error_code.h"
#include "services/gateway/broker_map.h"

namespace sluice::gateway {

inline constexpr std::int8_t group_key_type = 0;
inline constexpr std::int8_t transaction_key_type = 1;

struct coordinator_answer {
  protocol::error_code error = protocol::error_code::none;
  std::string message;
  std::int32_t node_id = -1;
  std::string host;
  std::int32_t port = -1;
};

/// `port_step`: gateway_options::broker_port_step.
coordinator_answer find_coordinator_for(const cluster::metadata_view& view, std::int8_t key_type,
                                        const std::string& key, int port_step);

/// The broker FindCoordinator names for consumer group `group_id` (and the
/// only one listing it in ListGroups), or -1 when no broker is registered.
std::int32_t group_broker(const cluster::metadata_view& view, std::string_view group_id);

}  // namespace sluice::gateway
