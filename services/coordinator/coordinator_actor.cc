#include "services/coordinator/coordinator_actor.h"

#include "services/coordinator/rpc_dispatch.h"

namespace sluice::coordinator {

caf::behavior coordinator_actor(caf::event_based_actor* self, std::shared_ptr<coordinator_state> state,
                                std::chrono::milliseconds sweep_every) {
  self->delayed_send(self, sweep_every, sweep_atom::value);
  const auto rebalance_every = state->options().auto_leader_rebalance;
  if (rebalance_every.count() > 0) self->delayed_send(self, rebalance_every, rebalance_atom::value);
  return {
      [state](rpc_atom, const messaging::shared_message& request, const messaging::responder& reply_to) {
        reply_to.reply(handle_request(*state, *request, std::chrono::steady_clock::now()));
      },
      [self, state, sweep_every](sweep_atom) {
        state->expire_leases(std::chrono::steady_clock::now());
        self->delayed_send(self, sweep_every, sweep_atom::value);
      },
      [self, state, rebalance_every](rebalance_atom) {
        state->rebalance_preferred_leaders();
        self->delayed_send(self, rebalance_every, rebalance_atom::value);
      },
  };
}

}  // namespace sluice::coordinator
