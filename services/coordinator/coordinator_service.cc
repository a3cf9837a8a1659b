#include "services/coordinator/coordinator_service.h"

#include <algorithm>
#include <stdexcept>

#include "common/logging/logger.h"
#include "common/messaging/pubsub.h"
#include "common/messaging/rpc_server.h"
#include "services/coordinator/coordinator_actor.h"

namespace sluice::coordinator {

struct coordinator_service::impl {
  // Declaration order = reverse destruction order: the publisher outlives
  // the actor system (the actor publishes), the server is stopped first.
  std::unique_ptr<messaging::publisher> publisher;
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> system;
  caf::actor actor;
  std::unique_ptr<messaging::rpc_server> server;
  std::string rpc_url;
  std::string publish_url;
  bool stopped = false;
};

coordinator_service::coordinator_service(service_options options) : impl_(std::make_unique<impl>()) {
  auto log = logging::get("coordinator");
  impl_->publisher = std::make_unique<messaging::publisher>(options.publish_url);
  impl_->publish_url = impl_->publisher->url();
  options.coordinator.publish_url = impl_->publish_url;
  auto state = coordinator_state::open(options.data_dir, options.coordinator, std::chrono::steady_clock::now());
  if (!state)
    throw std::runtime_error("cannot open metadata store in " + options.data_dir.string() + ": " +
                             state.error().message());
  std::shared_ptr<coordinator_state> st(std::move(state.value()));
  auto* pub = impl_->publisher.get();
  st->set_publisher([pub](const mv1::MetadataDelta& d) { pub->publish(d); });

  // One worker is plenty: a single actor does all the work.
  impl_->cfg.set("scheduler.max-threads", 1);
  impl_->system = std::make_unique<caf::actor_system>(impl_->cfg);
  auto ttl = options.coordinator.lease_ttl;
  auto sweep = std::clamp(ttl / 10, std::chrono::milliseconds(10), std::chrono::milliseconds(500));
  impl_->actor = impl_->system->spawn(coordinator_actor, st, sweep);
  caf::actor target = impl_->actor;
  impl_->server = std::make_unique<messaging::rpc_server>(
      options.listen_url, [target](messaging::message m, messaging::responder r) {
        caf::anon_send(target, rpc_atom::value, std::make_shared<messaging::message>(std::move(m)), std::move(r));
      });
  impl_->rpc_url = impl_->server->url();
  log->info("listening on {}, publishing on {}, lease ttl {} ms", impl_->rpc_url, impl_->publish_url, ttl.count());
}

coordinator_service::~coordinator_service() { stop(); }

const std::string& coordinator_service::rpc_url() const noexcept { return impl_->rpc_url; }
const std::string& coordinator_service::publish_url() const noexcept { return impl_->publish_url; }

void coordinator_service::stop() {
  if (impl_->stopped) return;
  impl_->stopped = true;
  // Stop the RPC server first, so no new request reaches the actor (replies
  // still pending answer shutting_down). Then exit the actor and wait for it:
  // the actor system must not be destroyed while an actor runs (it would
  // block). The publisher goes last: the actor publishes through it.
  if (impl_->server) impl_->server->stop();
  if (impl_->actor) caf::anon_send_exit(impl_->actor, caf::exit_reason::user_shutdown);
  impl_->actor = nullptr;
  if (impl_->system) impl_->system->await_all_actors_done();
  impl_->server.reset();
  impl_->system.reset();
  impl_->publisher.reset();
}

}  // namespace sluice::coordinator
