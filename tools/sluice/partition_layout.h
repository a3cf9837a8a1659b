#pragma once
// Where each partition lives, as the coordinator has it: leaders, replicas
// and ISRs are partition-server node ids (Kafka metadata only shows gateways).
#include <string>

#include "metadata.pb.h"
#include "tools/sluice/cli_result.h"

namespace sluice::tools {

/// Default coordinator address: $SLUICE_COORDINATOR, else what `sluice up`
/// uses by default (tcp://127.0.0.1:19090).
std::string default_coordinator_url();

/// The coordinator's whole cluster snapshot (one RPC).
cli_result<sluice::metadata::v1::ClusterSnapshot> fetch_cluster_snapshot(const std::string& coordinator_url);

/// A partition is under-replicated when its ISR is smaller than its replica set.
inline bool under_replicated(const sluice::metadata::v1::PartitionInfo& p) { return p.isr_size() < p.replicas_size(); }

}  // namespace sluice::tools
