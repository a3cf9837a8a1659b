#pragma once
// DescribeLogDirs between Kafka's wire form and the partition server's RPC
// (method describe_log_dirs). Pure functions, unit-tested without a cluster:
// - null topics means every replica the broker hosts; named topics and
//   partitions are a set (Kafka's request is), and those the broker does not
//   host are left out of the answer, as Kafka leaves them out;
// - a broker is one partition server with one log directory: one result,
//   KAFKA_STORAGE_ERROR (no topics, no byte counts) when it cannot be read;
// - a broker that cannot be asked (its port fronts no live partition
//   server, or the call fails) is answered at once with a top-level error
//   (v3+) and no result, which the Java admin raises as that error.
#include "common/messaging/frame.h"
#include "common/protocol/error_code.h"
#include "common/protocol/messages/describe_log_dirs.h"
#include "partition.pb.h"

namespace sluice::gateway {

/// The partition server request for `request`.
partition::v1::DescribeLogDirsRequest log_dirs_query(const protocol::describe_log_dirs_request& request);

/// The Kafka answer from the partition server's `reply`: its directory as the
/// one result, the replicas grouped by topic in the reply's order, entries
/// with an error (not hosted, closed) left out.
protocol::describe_log_dirs_response log_dirs_answer(const partition::v1::DescribeLogDirsResponse& reply);

/// The Kafka answer when the broker could not be asked: `error` at the top
/// level (only v3+ can carry it) and no result.
protocol::describe_log_dirs_response log_dirs_failure(protocol::error_code error);

/// Why a call to the broker's partition server failed, as the client sees
/// it: BROKER_NOT_AVAILABLE when it is gone (not live, or went away during
/// the call), REQUEST_TIMED_OUT when it did not answer in time,
/// UNKNOWN_SERVER_ERROR when it could not understand us.
protocol::error_code log_dirs_call_error(messaging::rpc_status status) noexcept;

}  // namespace sluice::gateway
