// sluice-gateway: the Kafka listener. Registers with the coordinator (so
// Metadata can list it as a broker), then serves Kafka clients, forwarding
// partition requests to the partition servers and admin requests to the
// coordinator.
#include <exception>

#include <CLI/CLI.hpp>

#include "common/base/shutdown_signals.h"
#include "common/cluster/cluster_client.h"
#include "common/cluster/coordinator_client.h"
#include "common/cluster/producer_id_pool.h"
#include "common/logging/logger.h"
#include "services/gateway/broker_map.h"
#include "services/gateway/fetch_sessions.h"
#include "services/gateway/gateway_options.h"
#include "services/gateway/metadata_cache.h"
#include "services/gateway/partition_servers.h"
#include "services/gateway/server.h"

int main(int argc, char** argv) {
  sluice::gateway::gateway_options options;
  std::string coordinator = "tcp://127.0.0.1:19090";
  std::string level = "info";
  int node_id = -1;
  CLI::App app{"Sluice gateway: the Kafka protocol listener"};
  app.add_option("--coordinator", coordinator, "NNG url of the coordinator")->capture_default_str();
  app.add_option("--host", options.host, "Address to listen on")->capture_default_str();
  app.add_option("--port", options.port, "Kafka port to listen on")->capture_default_str();
  app.add_option("--advertised-host", options.advertised_host, "Host name Metadata gives clients")
      ->capture_default_str();
  app.add_option("--node-id", node_id, "Ask the coordinator for this node id (default: assigned)");
  app.add_flag("--auto-create-topics", options.auto_create_topics,
               "Create unknown topics named in Metadata requests (Kafka's auto.create.topics.enable)");
  app.add_option("--io-threads", options.io_threads, "Threads serving client connections")->capture_default_str();
  app.add_option("--max-request-bytes", options.max_request_bytes,
                 "Largest request frame accepted (socket.request.max.bytes)")
      ->capture_default_str();
  app.add_option("--max-incremental-fetch-session-cache-slots", options.fetch_session_cache_slots,
                 "Fetch sessions (KIP-227) this gateway keeps (Kafka's max.incremental.fetch.session.cache.slots); "
                 "0 answers every fetch without a session")
      ->capture_default_str();
  app.add_option("--broker-port-step", options.broker_port_step,
                 "Partition servers are advertised as brokers at a gateway's address: the k-th broker id a "
                 "gateway fronts is served on --port + k * this (the same on every gateway)")
      ->check(CLI::Range(1, 10000))
      ->capture_default_str();
  app.add_option("--log-level", level, "trace, debug, info, warn, error, off")->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  sluice::shutdown_signals signals;  // before any thread starts

  sluice::logging::init("gateway", level);
  auto log = sluice::logging::get("gateway");
  try {
    // First, so it outlives every partition-server reply that finishes a fetch.
    sluice::gateway::fetch_session_cache fetch_sessions(options.fetch_session_cache_slots);
    boost::asio::io_context io;
    sluice::cluster::client_options opt;
    opt.coordinator_url = coordinator;
    opt.kind = sluice::metadata::v1::GATEWAY;
    opt.requested_node_id = node_id;
    opt.kafka_host = options.advertised_host;
    opt.kafka_port = options.port;
    sluice::cluster::cluster_client cluster(opt);
    sluice::gateway::metadata_cache metadata(cluster, io);
    sluice::gateway::partition_servers servers;
    sluice::gateway::group_coordinators groups;
    // Close clients of services that moved or left, so calls to a dead
    // address fail now rather than at their timeout.
    cluster.on_change([&servers, &groups](std::shared_ptr<const sluice::cluster::metadata_view> view) {
      servers.forget_stale(*view);
      groups.forget_stale(*view);
    });
    sluice::cluster::coordinator_client admin(coordinator);
    // Idempotent producers' ids, in blocks from the coordinator fenced by
    // this gateway's registration.
    sluice::cluster::producer_id_pool producer_ids(admin, cluster);
    sluice::gateway::gateway_services services{options,
                                               metadata,
                                               servers,
                                               admin,
                                               io,
                                               [&cluster] { return cluster.node_id(); },
                                               groups,
                                               [&producer_ids](auto done) { producer_ids.next(std::move(done)); },
                                               fetch_sessions};
    // Listen before registering: once Metadata lists us, clients connect.
    sluice::gateway::server listener(services, options.host, options.port);
    // Each further broker id this gateway fronts gets a port of its own (broker_map.h).
    cluster.on_change([&listener, &cluster](std::shared_ptr<const sluice::cluster::metadata_view> view) {
      listener.serve_slots(sluice::gateway::slots_of_gateway(*view, cluster.node_id()));
    });
    listener.start(options.io_threads);
    cluster.start();
    log->info("listening on {}:{}; registering with {}", options.host, listener.port(), coordinator);

    int sig = signals.wait_until([&cluster] { return cluster.wait_ready(std::chrono::milliseconds(0)); });
    if (sig == 0) {
      sluice::logging::lifecycle()->info("ready: node {} serving Kafka on {}:{} (advertised as {})", cluster.node_id(),
                                         options.host, listener.port(), options.advertised_host);
      sig = signals.wait();
    }
    log->info("signal {}: shutting down", sig);
    listener.stop();
    cluster.stop();
  } catch (const std::exception& e) {
    log->error("fatal: {}", e.what());
    return 1;
  }
  return 0;
}
