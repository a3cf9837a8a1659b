#pragma once
// The partition server as one object: actors, RPC endpoint, cluster membership.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>

namespace sluice::partition_server {

struct server_options {
  std::string coordinator_url = "tcp://127.0.0.1:19090";
  std::string listen_url = "tcp://127.0.0.1:0";  // port 0: any free port; the real url is registered
  std::filesystem::path data_dir = "./data/partition-server";
  std::int32_t node_id = -1;                      // -1: DATA/identity, else assigned by the coordinator
  std::size_t scheduler_threads = 2;              // CAF workers; NNG has its own threads
  std::chrono::milliseconds retention_check{60000};  // Kafka: log.retention.check.interval.ms (5 min)
  std::int64_t replica_lag_time_max_ms = 30000;   // replica.lag.time.max.ms
  std::int32_t min_insync_replicas = 1;           // min.insync.replicas for topics without an override
  std::int64_t producer_id_expiration_ms = 86400000;  // producer.id.expiration.ms
};

/// The broker configs these options set that differ from Kafka's defaults
/// (--min-insync-replicas -> min.insync.replicas), by broker config name:
/// sent with the registration, so DescribeConfigs shows them as
/// STATIC_BROKER_CONFIG.
std::map<std::string, std::string> static_broker_configs(const server_options& options);

/// Wires the service together and owns its threads:
/// - CAF (sharing scheduler, `scheduler_threads` workers): a replica_manager,
///   one partition_actor per hosted replica, one fetch_timer;
/// - NNG: the REP socket of the RPC server (produce, fetch, list offsets:
///   handlers route by partition and anon_send to partition actors), plus
///   the cluster_client's REQ/SUB sockets and its heartbeat thread.
///
/// The constructor starts everything and throws on start-up failure (the
/// identity file unreadable, the listen url unusable). stop() (also run by
/// the destructor) first asks the coordinator to move this server's
/// leaderships elsewhere (controlled shutdown) and waits until the metadata
/// says so, then leaves the cluster, stops the actors (they flush and close
/// their logs; requests still in them are answered `unavailable`), then
/// closes the RPC socket: replies never race the socket's close.
class partition_server {
 public:
  explicit partition_server(server_options options);
  ~partition_server();
  partition_server(const partition_server&) = delete;
  partition_server& operator=(const partition_server&) = delete;

  /// True once registered, the node id is stored in DATA/identity, and the
  /// replicas of the current metadata are open. Non-blocking.
  bool ready();
  std::int32_t node_id() const;
  const std::string& rpc_url() const;
  void stop();
  /// The controlled-shutdown half of stop(); bounded (~10 s), skipped when the
  /// coordinator cannot be reached.
  void hand_over_leaderships();

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace sluice::partition_server
