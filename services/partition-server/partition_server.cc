#include "services/partition-server/partition_server.h"

#include <atomic>
#include <stdexcept>
#include <thread>

#include <caf/all.hpp>

#include "common/cluster/cluster_client.h"
#include "common/config/broker_config.h"
#include "common/messaging/methods.h"
#include "common/messaging/rpc_server.h"
#include "common/cluster/coordinator_client.h"
#include "services/partition-server/actors/isr_sender.h"
#include "services/partition-server/actors/partition_actor.h"
#include "services/partition-server/actors/replica_manager.h"
#include "services/partition-server/identity.h"
#include "services/partition-server/logger.h"
#include "services/partition-server/routing_table.h"
#include "services/partition-server/rpc/delete_records_op.h"
#include "services/partition-server/rpc/describe_log_dirs_op.h"
#include "services/partition-server/rpc/describe_producers_op.h"
#include "services/partition-server/rpc/epoch_offsets_op.h"
#include "services/partition-server/rpc/fetch_op.h"
#include "services/partition-server/rpc/list_offsets_op.h"
#include "services/partition-server/rpc/produce_op.h"
#include "services/partition-server/rpc/write_txn_markers_op.h"
#include "services/partition-server/txn_verifier.h"

namespace sluice::partition_server {

std::map<std::string, std::string> static_broker_configs(const server_options& options) {
  const std::map<std::string, std::string> flags{
      {"min.insync.replicas", std::to_string(options.min_insync_replicas)},
  };
  std::map<std::string, std::string> out;
  for (const auto& [name, value] : flags) {
    const auto* def = config::find_broker(name);
    if (def == nullptr || def->default_value != value) out.emplace(name, value);
  }
  return out;
}

struct partition_server::impl {
  server_options options;
  std::shared_ptr<routing_table> routes = std::make_shared<routing_table>();
  std::shared_ptr<std::atomic<std::uint64_t>> applied_version = std::make_shared<std::atomic<std::uint64_t>>(0);
  std::int32_t stored_node_id = -1;
  bool identity_written = false;
  // Destroyed in reverse: the server (NNG callbacks use the actors) and the
  // cluster client go before the actor system.
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> system;
  caf::actor manager;
  caf::actor timer;
  caf::actor isr;
  std::shared_ptr<cluster::coordinator_client> coordinator;
  std::unique_ptr<messaging::rpc_server> server;
  std::unique_ptr<cluster::cluster_client> cluster;
  // Uses `cluster`: dropped before it (stop()), once the actors are gone.
  std::shared_ptr<txn_verifier> verifier;
  bool stopped = false;

  void on_request(messaging::message request, messaging::responder reply_to) {
    try {
      auto table = routes->current();
      switch (request.method()) {
        case messaging::method::produce:
          produce_op::start(std::move(request), std::move(reply_to), *table);
          return;
        case messaging::method::fetch:
          fetch_op::start(std::move(request), std::move(reply_to), *table, timer);
          return;
        case messaging::method::list_offsets:
          list_offsets_op::start(request, std::move(reply_to), *table);
          return;
        case messaging::method::offset_for_leader_epoch:
          epoch_offsets_op::start(request, std::move(reply_to), *table);
          return;
        case messaging::method::write_txn_markers:
          write_txn_markers_op::start(request, std::move(reply_to), *table);
          return;
        case messaging::method::describe_producers:
          describe_producers_op::start(request, std::move(reply_to), *table);
          return;
        case messaging::method::delete_records:
          delete_records_op::start(request, std::move(reply_to), *table);
          return;
        case messaging::method::describe_log_dirs:
          describe_log_dirs_op::start(request, std::move(reply_to), *table, options.data_dir);
          return;
        default:
          reply_to.fail(messaging::rpc_status::unknown_method);
          return;
      }
    } catch (const std::exception& e) {
      // Only allocation failures get here; the responder, if still held,
      // answers `unavailable` when it is dropped.
      log()->error("request (method {}) failed: {}", request.method(), e.what());
    }
  }
};

partition_server::partition_server(server_options options) : impl_(std::make_unique<impl>()) {
  auto& m = *impl_;
  m.options = std::move(options);
  if (m.options.node_id < 0) {
    auto stored = read_identity(m.options.data_dir);
    if (!stored)
      throw std::runtime_error("cannot read " + (m.options.data_dir / "identity").string() + ": " +
                               stored.error().message());
    if (stored.value()) m.stored_node_id = *stored.value();
    m.options.node_id = m.stored_node_id;
  } else if (auto stored = read_identity(m.options.data_dir); stored && stored.value()) {
    m.stored_node_id = *stored.value();
  }
  std::error_code ec;
  std::filesystem::create_directories(m.options.data_dir, ec);
  if (ec) throw std::runtime_error("cannot create " + m.options.data_dir.string() + ": " + ec.message());

  // Sharing scheduler: idle workers sleep on a condition variable instead of
  // polling, which matters on two cores shared with NNG and other services.
  m.cfg.set("scheduler.max-threads", m.options.scheduler_threads);
  m.cfg.set("scheduler.policy", caf::atom("sharing"));
  m.system = std::make_unique<caf::actor_system>(m.cfg);
  m.timer = m.system->spawn(fetch_timer);
  m.coordinator = std::make_shared<cluster::coordinator_client>(m.options.coordinator_url);
  auto* self_impl = &m;
  m.isr = m.system->spawn(isr_sender, m.coordinator, [self_impl] {
    sender_identity id;
    if (auto* cc = self_impl->cluster.get()) {
      id.node_id = cc->node_id();
      id.registration_epoch = cc->registration_epoch();
      id.controller_epoch = cc->current()->snapshot().controller_epoch();
    }
    return id;
  });
  auto* self = &m;
  // Every parked fetch holds a context until it is answered: keep plenty so
  // long polls from many consumers never leave produce requests unreceived.
  constexpr int rpc_contexts = 1024;
  m.server = std::make_unique<messaging::rpc_server>(
      m.options.listen_url,
      [self](messaging::message r, messaging::responder to) { self->on_request(std::move(r), std::move(to)); },
      rpc_contexts);

  cluster::client_options copt;
  copt.coordinator_url = m.options.coordinator_url;
  copt.kind = cluster::mv1::PARTITION_SERVER;
  copt.requested_node_id = m.options.node_id;
  copt.rpc_url = m.server->url();
  copt.static_configs = static_broker_configs(m.options);
  m.cluster = std::make_unique<cluster::cluster_client>(copt);
  // The leaders' transaction verification needs the cluster client (the
  // coordinator's owner in the metadata), so the replicas come after it;
  // requests arriving before then find no route.
  m.verifier = std::make_shared<coordinator_txn_verifier>(*m.cluster);

  replica_manager_options mopt;
  mopt.data_dir = m.options.data_dir;
  mopt.routes = m.routes;
  mopt.applied_version = m.applied_version;
  mopt.retention_check = m.options.retention_check;
  mopt.replication.lag_max_ms = m.options.replica_lag_time_max_ms;
  mopt.replication.default_min_insync = m.options.min_insync_replicas;
  mopt.replication.producer_id_expiration_ms = m.options.producer_id_expiration_ms;
  mopt.isr_sender = m.isr;
  mopt.verifier = m.verifier;
  m.manager = m.system->spawn(replica_manager, std::move(mopt));

  caf::actor manager = m.manager;
  auto* cc = m.cluster.get();
  // Listeners must not block: the view goes to the manager actor.
  m.cluster->on_change([manager, cc](std::shared_ptr<const cluster::metadata_view> view) {
    caf::anon_send(manager, view_atom::value, std::move(view), sluice::node_id{cc->node_id()});
  });
  m.cluster->on_lease_lost([manager] { caf::anon_send(manager, fence_atom::value); });
  m.cluster->start();
  log()->info("listening on {}; registering with {} (asking for node id {})", m.server->url(),
              m.options.coordinator_url, m.options.node_id);
}

partition_server::~partition_server() { stop(); }

bool partition_server::ready() {
  auto& m = *impl_;
  if (m.stopped || !m.cluster->wait_ready(std::chrono::milliseconds(0))) return false;
  const std::int32_t id = m.cluster->node_id();
  if (id < 0) return false;
  if (!m.identity_written || id != m.stored_node_id) {
    if (id != m.stored_node_id) {
      auto w = write_identity(m.options.data_dir, id);
      if (!w) {
        log()->error("cannot write identity file: {}", w.error().message());
        return false;
      }
      m.stored_node_id = id;
    }
    m.identity_written = true;
  }
  return m.applied_version->load(std::memory_order_acquire) >= m.cluster->current()->version();
}

std::int32_t partition_server::node_id() const { return impl_->cluster ? impl_->cluster->node_id() : -1; }

const std::string& partition_server::rpc_url() const { return impl_->server->url(); }

void partition_server::hand_over_leaderships() {
  auto& m = *impl_;
  if (m.stopped || !m.cluster || !m.coordinator || m.cluster->node_id() < 0) return;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  for (int attempt = 0; attempt < 3 && std::chrono::steady_clock::now() < deadline; ++attempt) {
    cv1::ControlledShutdownRequest req;
    req.set_node_id(m.cluster->node_id());
    req.set_registration_epoch(m.cluster->registration_epoch());
    auto r = m.coordinator->controlled_shutdown_sync(req);
    if (!r) {
      log()->warn("controlled shutdown: coordinator unreachable ({}); stopping anyway", r.error().message());
      return;
    }
    if (r.value().error() != cv1::COORDINATOR_OK) {
      log()->warn("controlled shutdown refused: {}", cv1::CoordinatorError_Name(r.value().error()));
      return;
    }
    // Our actors must see the move (they stop acknowledging as leaders)
    // before we go: wait for the version that carries it.
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    m.cluster->wait_for_version(r.value().metadata_version(), std::max(left, std::chrono::milliseconds(0)));
    while (m.applied_version->load(std::memory_order_acquire) < r.value().metadata_version() &&
           std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    if (r.value().remaining_leaderships() == 0) {
      log()->info("controlled shutdown: leaderships moved");
      return;
    }
    log()->info("controlled shutdown: {} partitions have no other in-sync replica yet",
                r.value().remaining_leaderships());
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
}

void partition_server::stop() {
  auto& m = *impl_;
  if (m.stopped) return;
  hand_over_leaderships();
  m.stopped = true;
  // Actors first, the RPC socket last: actors reply from their own threads,
  // and a reply racing nng_close() on the socket can crash inside NNG (seen
  // as "panic: pthread_mutex_lock"). Once the actors are done, requests that
  // still arrive find no actor and their responders answer `unavailable`
  // while the socket is open; after rpc_server::stop() nothing sends.
  // Each step is logged with its duration: a shutdown that hangs (seen once,
  // in CI) then names the step it hung in.
  auto since = std::chrono::steady_clock::now();
  auto done = [&since](const char* step) {
    const auto now = std::chrono::steady_clock::now();
    log()->info("shutdown: {} in {} ms", step,
                std::chrono::duration_cast<std::chrono::milliseconds>(now - since).count());
    since = now;
  };
  if (m.cluster) m.cluster->stop();
  done("cluster client stopped");
  if (m.manager) caf::anon_send_exit(m.manager, caf::exit_reason::user_shutdown);
  if (m.timer) caf::anon_send_exit(m.timer, caf::exit_reason::user_shutdown);
  if (m.isr) caf::anon_send_exit(m.isr, caf::exit_reason::user_shutdown);
  m.manager = nullptr;
  m.timer = nullptr;
  m.isr = nullptr;
  if (m.system) m.system->await_all_actors_done();
  done("replicas closed");
  if (m.server) m.server->stop();
  done("rpc server closed");
  m.verifier.reset();
  m.cluster.reset();
  m.server.reset();
  m.system.reset();
  m.coordinator.reset();
}

}  // namespace sluice::partition_server
