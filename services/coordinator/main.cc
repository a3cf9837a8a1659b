// sluice-coordinator: cluster metadata in LMDB, service leases, metadata deltas.
#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "common/base/shutdown_signals.h"
#include "common/logging/logger.h"
#include "services/coordinator/coordinator_service.h"
#include "services/coordinator/feature_rules.h"

int main(int argc, char** argv) {
  sluice::coordinator::service_options opt;
  std::string data_dir = "./data/coordinator";
  std::string level = "info";
  int ttl_ms = 6000;
  CLI::App app{"Sluice coordinator: cluster metadata (LMDB), service leases, metadata deltas"};
  app.add_option("--data-dir", data_dir, "Directory of the LMDB environment")->capture_default_str();
  app.add_option("--listen", opt.listen_url, "NNG url for coordinator RPCs")->capture_default_str();
  app.add_option("--publish", opt.publish_url, "NNG url where metadata deltas are published")->capture_default_str();
  app.add_option("--lease-ttl-ms", ttl_ms, "Lease time-to-live of registered services")
      ->capture_default_str()
      ->check(CLI::Range(100, 3600000));
  app.add_option("--default-partitions", opt.coordinator.default_partitions, "num.partitions for new topics")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000));
  app.add_option("--default-replication-factor", opt.coordinator.default_replication_factor,
                 "default.replication.factor for new topics")
      ->capture_default_str()
      ->check(CLI::Range(1, 100));
  app.add_flag("--unclean-leader-election", opt.coordinator.unclean_leader_election,
               "Elect a replica outside the ISR when no in-sync one is left (can lose data; the dynamic cluster default and topics override it)");
  std::int64_t rebalance_ms = opt.coordinator.auto_leader_rebalance.count();
  app.add_option("--auto-leader-rebalance-ms", rebalance_ms,
                 "How often preferred replicas take leadership back (0: never)")
      ->capture_default_str()
      ->check(CLI::Range(std::int64_t{0}, std::int64_t{86400000}));
  std::vector<std::string> features;
  app.add_option("--feature", features,
                 "NAME=LEVEL: a finalized feature level of a new cluster (Kafka's kafka-storage format --feature), "
                 "e.g. transaction.version=1; only used while the store holds none, kafka-features changes it "
                 "after (default transaction.version=2)");
  app.add_option("--log-level", level, "trace, debug, info, warn, error, off")->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  for (const auto& f : features) {
    if (auto why = sluice::coordinator::parse_feature_flag(f, opt.coordinator.initial_features); !why.empty()) {
      std::cerr << "--feature " << f << ": " << why << "\n";
      return 2;
    }
  }
  opt.data_dir = data_dir;
  opt.coordinator.lease_ttl = std::chrono::milliseconds(ttl_ms);
  opt.coordinator.auto_leader_rebalance = std::chrono::milliseconds(rebalance_ms);

  sluice::shutdown_signals signals;  // before any thread starts

  sluice::logging::init("coordinator", level);
  auto log = sluice::logging::get("coordinator");
  try {
    sluice::coordinator::coordinator_service service(opt);
    sluice::logging::lifecycle()->info("coordinator ready: rpc {} publish {} data {}", service.rpc_url(),
                                       service.publish_url(), data_dir);
    int sig = signals.wait();
    log->info("signal {}: shutting down", sig);
    service.stop();
  } catch (const std::exception& e) {
    log->critical("coordinator failed to start: {}", e.what());
    return 1;
  }
  log->info("coordinator stopped");
  return 0;
}
