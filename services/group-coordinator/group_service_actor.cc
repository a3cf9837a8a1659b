#include "services/group-coordinator/group_service_actor.h"

namespace sluice::group_coordinator {

caf::behavior group_service_actor(caf::event_based_actor* self,
                                  std::function<std::shared_ptr<group_service>(group_service::post_fn)> make,
                                  std::chrono::milliseconds tick) {
  // A weak handle: the service (owned by this actor) must not keep it alive.
  caf::weak_actor_ptr weak = caf::actor_cast<caf::weak_actor_ptr>(self);
  auto service = make([weak](std::function<void()> fn) {
    if (auto strong = caf::actor_cast<caf::actor>(weak)) caf::anon_send(strong, run_atom::value, posted_task{std::move(fn)});
  });
  self->delayed_send(self, tick, tick_atom::value);
  return {
      [service](rpc_atom, const messaging::shared_message& request, const messaging::responder& reply_to) {
        service->handle(*request, reply_to);
      },
      [](run_atom, const posted_task& task) { task.run(); },
      [service](view_atom, const shared_view& view) { service->on_view(view); },
      [service](lease_lost_atom) { service->on_lease_lost(); },
      [self, service, tick](tick_atom) {
        service->tick();
        self->delayed_send(self, tick, tick_atom::value);
      },
  };
}

}  // namespace sluice::group_coordinator
