#pragma once
// Kafka error codes for failures reported by the services behind the
// gateway. Exhaustive switches: a new internal error does not compile until
// it has a Kafka meaning.
#include "common/messaging/frame.h"
#include "common/protocol/error_code.h"
#include "coordinator.pb.h"
#include "partition.pb.h"

namespace sluice::gateway {

protocol::error_code to_kafka(partition::v1::PartitionError e) noexcept;
protocol::error_code to_kafka(coordinator::v1::CoordinatorError e) noexcept;
/// A partition-server RPC that failed as a whole: each of its partitions
/// gets this (retriable, and makes the client refresh its metadata).
protocol::error_code to_kafka(messaging::rpc_status s) noexcept;

inline std::int16_t code(protocol::error_code e) noexcept { return static_cast<std::int16_t>(e); }

}  // namespace sluice::gateway
