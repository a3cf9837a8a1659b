#pragma once
// The topic a benchmark writes to: created on first use, ready once every
// partition has a leader.
#include <string>

#include "tools/sluice/cli_result.h"
#include "tools/sluice/kafka_client.h"

namespace sluice::tools {

struct bench_topic {
  std::string name;
  int partitions = 3;
  int replication_factor = -1;   // -1: the cluster default
  int min_insync_replicas = -1;  // -1: the cluster default
};

/// Creates the topic unless it exists (someone else creating it meanwhile is
/// as good), then waits up to `timeout_ms` until the metadata shows a leader
/// for every partition. Returns the partition count.
cli_result<int> ensure_topic(rd_kafka_t* rk, const bench_topic& topic, int timeout_ms);

}  // namespace sluice::tools
