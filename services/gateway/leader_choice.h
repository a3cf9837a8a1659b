#pragma once
// Which gateway a client should send a partition's requests to. Every
// gateway can serve every partition (it forwards to the partition server),
// so this only spreads clients' connections: it must be the same answer on
// every gateway, hence a fixed hash rather than std::hash.
#include <cstdint>
#include <string_view>

#include "common/cluster/metadata_view.h"

namespace sluice::gateway {

/// The node id of the gateway named as leader of (topic, partition), or -1
/// when no gateway is registered yet.
std::int32_t leader_gateway(const cluster::metadata_view& view, std::string_view topic, std::int32_t partition);

}  // namespace sluice::gateway
