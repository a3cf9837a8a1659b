#pragma once
// FindCoordinator's answer for one key, from the metadata alone (pure, so
// unit-tested without a cluster). The coordinator clients are told of is a
// gateway: for a group (key type 0) the one Metadata names as leader of the
// group's __consumer_offsets partition, for a transactional id (key type 1)
// transaction_gateway (txn_routing.h); every gateway gives the same answer,
// and each key is listed by that gateway only (ListGroups, ListTransactions).
// COORDINATOR_NOT_AVAILABLE while no group coordinator owns the key's shard
// or no gateway is registered; INVALID_REQUEST for any other key type
// (Kafka's CoordinatorType.forId).
#include <cstdint>
#include <string>

#include "common/cluster/metadata_view.h"
#include "common/protocol/error_code.h"

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

coordinator_answer find_coordinator_for(const cluster::metadata_view& view, std::int8_t key_type,
                                        const std::string& key);

}  // namespace sluice::gateway
