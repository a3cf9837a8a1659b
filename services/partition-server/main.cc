// sluice-partition-server: hosts partition logs and serves produce, fetch and
// list-offsets RPCs for the gateways.
#include <cstdint>
#include <exception>

#include <CLI/CLI.hpp>

#include "common/base/shutdown_signals.h"
#include "common/logging/logger.h"
#include "services/partition-server/logger.h"
#include "services/partition-server/partition_server.h"

int main(int argc, char** argv) {
  sluice::partition_server::server_options opt;
  std::string data_dir = opt.data_dir.string();
  std::string level = "info";
  CLI::App app{"Sluice partition server: segmented partition logs behind produce/fetch/list-offsets RPCs"};
  app.add_option("--coordinator", opt.coordinator_url, "NNG url of the coordinator")->capture_default_str();
  app.add_option("--listen", opt.listen_url, "NNG url for RPCs from gateways (port 0 picks a free one)")
      ->capture_default_str();
  app.add_option("--data-dir", data_dir, "Directory for partition logs and the identity file")
      ->capture_default_str();
  app.add_option("--node-id", opt.node_id,
                 "Force this node id (default: kept in DATA_DIR/identity, else assigned by the coordinator)");
  app.add_option("--scheduler-threads", opt.scheduler_threads, "CAF worker threads")
      ->capture_default_str()
      ->check(CLI::Range(1, 64));
  std::int64_t retention_check_ms = opt.retention_check.count();
  app.add_option("--retention-check-ms", retention_check_ms, "How often replicas apply retention.ms/retention.bytes")
      ->capture_default_str()
      ->check(CLI::Range(std::int64_t{10}, std::int64_t{86400000}));
  app.add_option("--replica-lag-time-max-ms", opt.replica_lag_time_max_ms,
                 "A follower not caught up for this long leaves the ISR (replica.lag.time.max.ms)")
      ->capture_default_str()
      ->check(CLI::Range(std::int64_t{100}, std::int64_t{86400000}));
  app.add_option("--min-insync-replicas", opt.min_insync_replicas,
                 "min.insync.replicas for topics without their own (acks=all needs this many in the ISR)")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000));
  app.add_option("--producer-id-expiration-ms", opt.producer_id_expiration_ms,
                 "Producer state idle this long, with no open transaction, is removed (producer.id.expiration.ms)")
      ->capture_default_str()
      ->check(CLI::Range(std::int64_t{1}, INT64_MAX));
  app.add_option("--log-level", level, "trace, debug, info, warn, error, off")->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  opt.data_dir = data_dir;
  opt.retention_check = std::chrono::milliseconds(retention_check_ms);

  sluice::shutdown_signals signals;  // before any thread starts

  sluice::logging::init("partition-server", level);
  auto log = sluice::partition_server::log();
  try {
    sluice::partition_server::partition_server server(opt);
    // Registered, node id stored, replicas open; a signal meanwhile stops it at once.
    int sig = signals.wait_until([&server] { return server.ready(); });
    if (sig == 0) {
      // lifecycle(): the ready line shows even at --log-level warn (sluice up waits for it).
      sluice::logging::lifecycle()->info("partition server ready: node {} rpc {} data {}", server.node_id(),
                                         server.rpc_url(), data_dir);
      sig = signals.wait();
    }
    log->info("signal {}: shutting down", sig);
    server.stop();
  } catch (const std::exception& e) {
    log->critical("partition server failed: {}", e.what());
    return 1;
  }
  log->info("partition server stopped");
  return 0;
}
