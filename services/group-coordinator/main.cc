// sluice-group-coordinator: consumer groups and their offsets for the
// partitions of __consumer_offsets the metadata gives this instance, and
// the transactions of the same partitions of __transaction_state (see
// README.md). Registers with the coordinator and keeps its lease.
#include <exception>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <string>

#include <CLI/CLI.hpp>
#include <caf/all.hpp>

#include "common/base/shutdown_signals.h"
#include "common/cluster/cluster_client.h"
#include "common/cluster/coordinator_client.h"
#include "common/logging/logger.h"
#include "common/messaging/rpc_server.h"
#include "services/group-coordinator/group_service_actor.h"

namespace {

/// DIR/identity holds the node id the coordinator gave us, so a restart keeps it.
int read_identity(const std::filesystem::path& dir) {
  std::ifstream in(dir / "identity");
  int id = -1;
  if (in >> id && id >= 0) return id;
  return -1;
}

void write_identity(const std::filesystem::path& dir, int id) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  auto tmp = dir / "identity.tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << id << "\n";
  }
  std::filesystem::rename(tmp, dir / "identity", ec);
}

}  // namespace

int main(int argc, char** argv) {
  std::string coordinator = "tcp://127.0.0.1:19090";
  std::string listen = "tcp://127.0.0.1:0";
  std::string data_dir;
  std::string level = "info";
  int node_id = -1;
  sluice::group_coordinator::service_settings settings;
  auto& g = settings.groups;
  std::int64_t min_session = g.min_session_timeout.count(), max_session = g.max_session_timeout.count();
  std::int64_t initial_delay = g.initial_rebalance_delay.count();
  std::int64_t consumer_session = g.consumer_session_timeout.count();
  std::int64_t consumer_heartbeat = g.consumer_heartbeat_interval.count();
  std::int64_t retention_minutes = g.offsets_retention.count() / 60000;
  CLI::App app{"Sluice group coordinator: consumer groups and committed offsets"};
  app.add_option("--coordinator", coordinator, "NNG url of the coordinator")->capture_default_str();
  app.add_option("--listen", listen, "NNG url for RPCs from gateways (port 0 picks one)")->capture_default_str();
  app.add_option("--data-dir", data_dir, "Directory for this instance's identity (node id)");
  app.add_option("--node-id", node_id, "Force this node id (default: kept in DATA_DIR/identity, else assigned)");
  app.add_option("--log-level", level, "trace, debug, info, warn, error, off")->capture_default_str();
  app.add_option("--group-min-session-timeout-ms", min_session, "group.min.session.timeout.ms")->capture_default_str();
  app.add_option("--group-max-session-timeout-ms", max_session, "group.max.session.timeout.ms")->capture_default_str();
  app.add_option("--group-initial-rebalance-delay-ms", initial_delay,
                 "group.initial.rebalance.delay.ms: how long a new group waits for more members")
      ->capture_default_str();
  app.add_option("--consumer-session-timeout-ms", consumer_session, "group.consumer.session.timeout.ms (KIP-848 groups)")
      ->capture_default_str();
  app.add_option("--consumer-heartbeat-interval-ms", consumer_heartbeat,
                 "group.consumer.heartbeat.interval.ms (KIP-848 groups)")
      ->capture_default_str();
  app.add_option("--consumer-assignor", g.default_assignor, "default server-side assignor: uniform or range")
      ->check(CLI::IsMember({"uniform", "range"}))
      ->capture_default_str();
  const std::map<std::string, sluice::group_coordinator::migration_policy> policies{
      {"bidirectional", sluice::group_coordinator::migration_policy::bidirectional},
      {"upgrade", sluice::group_coordinator::migration_policy::upgrade},
      {"downgrade", sluice::group_coordinator::migration_policy::downgrade},
      {"disabled", sluice::group_coordinator::migration_policy::disabled}};
  app.add_option("--consumer-migration-policy", g.consumer_migration,
                 "group.consumer.migration.policy: bidirectional, upgrade, downgrade or disabled (classic <-> KIP-848 "
                 "groups with members)")
      ->transform(CLI::CheckedTransformer(policies, CLI::ignore_case))
      ->default_str("bidirectional");
  app.add_option("--offsets-retention-minutes", retention_minutes,
                 "offsets.retention.minutes: committed offsets nobody consumes any more go after this long")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--offsets-replication-factor", settings.offsets_replication_factor,
                 "offsets.topic.replication.factor (capped by the live partition servers)")
      ->capture_default_str();
  app.add_option("--offsets-segment-bytes", settings.offsets_segment_bytes,
                 "offsets.topic.segment.bytes: segment size of __consumer_offsets (compaction cleans sealed segments)")
      ->capture_default_str()
      ->check(CLI::Range(14, std::numeric_limits<std::int32_t>::max()));  // Kafka's minimum for segment.bytes
  auto& t = settings.transactions;
  app.add_option("--transactional-id-expiration-ms", t.id_expiration_ms,
                 "transactional.id.expiration.ms: a transactional id idle this long (no open transaction) is removed")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--transaction-max-timeout-ms", t.max_timeout_ms,
                 "transaction.max.timeout.ms: the longest transaction.timeout.ms a producer may ask for")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  CLI11_PARSE(app, argc, argv);
  g.min_session_timeout = std::chrono::milliseconds(min_session);
  g.max_session_timeout = std::chrono::milliseconds(max_session);
  g.initial_rebalance_delay = std::chrono::milliseconds(initial_delay);
  g.consumer_session_timeout = std::chrono::milliseconds(consumer_session);
  g.consumer_heartbeat_interval = std::chrono::milliseconds(consumer_heartbeat);
  g.offsets_retention = std::chrono::minutes(retention_minutes);

  sluice::shutdown_signals signals;  // before any thread starts

  sluice::logging::init("group-coordinator", level);
  auto log = sluice::logging::get("group");
  try {
    if (node_id < 0 && !data_dir.empty()) node_id = read_identity(data_dir);
    namespace gc = sluice::group_coordinator;
    sluice::cluster::coordinator_client admin(coordinator);
    // Nobody sends us a request before the metadata shows our url, which is
    // after cluster.start(): `actor` is set by then.
    caf::actor actor;
    sluice::messaging::rpc_server server(listen, [&actor](sluice::messaging::message m, sluice::messaging::responder r) {
      caf::anon_send(actor, gc::rpc_atom::value, std::make_shared<sluice::messaging::message>(std::move(m)), std::move(r));
    });
    sluice::cluster::client_options opt;
    opt.coordinator_url = coordinator;
    opt.kind = sluice::metadata::v1::GROUP_COORDINATOR;
    opt.requested_node_id = node_id;
    opt.rpc_url = server.url();
    sluice::cluster::cluster_client cluster(opt);
    // One worker: a single actor does all the group work (more instances scale it).
    caf::actor_system_config cfg;
    cfg.set("scheduler.max-threads", 1);
    caf::actor_system system(cfg);
    actor = system.spawn(
        gc::group_service_actor,
        [&](gc::group_service::post_fn post) {
          return std::make_shared<gc::group_service>(settings, cluster, admin, std::move(post));
        },
        std::chrono::milliseconds(100));
    cluster.on_change([actor](std::shared_ptr<const sluice::cluster::metadata_view> view) {
      caf::anon_send(actor, gc::view_atom::value, std::move(view));
    });
    cluster.on_lease_lost([actor] { caf::anon_send(actor, gc::lease_lost_atom::value); });
    cluster.start();
    log->info("listening on {}; registering with {}", server.url(), coordinator);
    int sig = signals.wait_until([&cluster] { return cluster.wait_ready(std::chrono::milliseconds(0)); });
    if (sig == 0) {
      if (!data_dir.empty()) write_identity(data_dir, cluster.node_id());
      sluice::logging::lifecycle()->info("group coordinator ready: node {} rpc {}", cluster.node_id(), server.url());
      sig = signals.wait();
    }
    log->info("signal {}: shutting down", sig);
    // Shutdown order. The RPC server first: it stops receiving, so no new
    // request reaches the actor, and requests still pending answer
    // shutting_down. Then the actor, waited for: it may still hold
    // responders of the server's contexts, which must not go away under
    // it. The cluster client last (its threads post metadata to the
    // actor until then); our lease is left to expire, and the coordinator
    // then gives our shards to the other instances.
    server.stop();
    caf::anon_send_exit(actor, caf::exit_reason::user_shutdown);
    system.await_all_actors_done();
    cluster.stop();
  } catch (const std::exception& e) {
    log->critical("group coordinator failed: {}", e.what());
    return 1;
  }
  log->info("group coordinator stopped");
  return 0;
}
