#pragma once
// What the partition server's integration test and its benchmark both need:
// the command lines that start the coordinator and a partition server on
// loopback, and the partition RPC requests they send. `using namespace
// sluice::test::partition_rpc;` also brings the aliases both files use.
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "common/messaging/frame.h"
#include "common/messaging/methods.h"
#include "common/messaging/rpc_client.h"
#include "coordinator.pb.h"
#include "partition.pb.h"

namespace sluice::test::partition_rpc {

namespace fs = std::filesystem;
namespace pv1 = sluice::partition::v1;
namespace cv1 = sluice::coordinator::v1;
using messaging::message;
using messaging::rpc_client;
using messaging::rpc_status;

/// sluice-coordinator from `bin` with its data in `data`, RPC and publish on
/// free loopback ports, plus `extra` arguments.
inline std::vector<std::string> coordinator_command(const fs::path& bin, const fs::path& data,
                                                    std::vector<std::string> extra = {}) {
  std::vector<std::string> argv{(bin / "sluice-coordinator").string(), "--data-dir", data.string(), "--listen",
                                "tcp://127.0.0.1:0", "--publish", "tcp://127.0.0.1:0"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  return argv;
}

/// sluice-partition-server from `bin`, registering with `coordinator_url`,
/// RPC on a free loopback port, logs in `data`.
inline std::vector<std::string> partition_server_command(const fs::path& bin, const std::string& coordinator_url,
                                                         const fs::path& data) {
  return {(bin / "sluice-partition-server").string(), "--coordinator", coordinator_url, "--listen",
          "tcp://127.0.0.1:0", "--data-dir", data.string()};
}

/// CreateTopics for one topic of `partitions` partitions, replication factor 1.
inline cv1::CreateTopicsRequest one_topic(const std::string& name, int partitions) {
  cv1::CreateTopicsRequest create;
  auto* spec = create.add_topics();
  spec->set_name(name);
  spec->set_partitions(partitions);
  spec->set_replication_factor(1);
  return create;
}

/// A Produce RPC to `topic`: one record set per entry of `parts`
/// (partition, bytes), in that order.
inline message produce_request(const std::string& topic,
                               const std::vector<std::pair<int, std::span<const std::byte>>>& parts, int acks,
                               int timeout_ms = 10000) {
  pv1::ProduceRequest req;
  req.set_acks(acks);
  req.set_timeout_ms(timeout_ms);
  std::size_t total = 0;
  for (auto& [p, bytes] : parts) {
    auto* a = req.add_partitions();
    a->set_topic(topic);
    a->set_partition(p);
    a->set_records_size(static_cast<std::uint32_t>(bytes.size()));
    total += bytes.size();
  }
  auto m = message::make(messaging::method::produce, req, total);
  for (auto& [p, bytes] : parts) m.append_payload(bytes);
  return m;
}

/// A consumer's Fetch RPC from `topic` at (partition, offset) for each entry of `from`.
inline message fetch_request(const std::string& topic, const std::vector<std::pair<int, std::int64_t>>& from,
                             int max_wait_ms, int min_bytes, int max_bytes, int partition_max_bytes) {
  pv1::FetchRequest req;
  req.set_max_wait_ms(max_wait_ms);
  req.set_min_bytes(min_bytes);
  req.set_max_bytes(max_bytes);
  for (auto& [p, at] : from) {
    auto* f = req.add_partitions();
    f->set_topic(topic);
    f->set_partition(p);
    f->set_fetch_offset(at);
    f->set_partition_max_bytes(partition_max_bytes);
    f->set_current_leader_epoch(-1);
  }
  return message::make(messaging::method::fetch, req);
}

}  // namespace sluice::test::partition_rpc
