#pragma once
// The actor that owns coordinator_state (CAF; include only from .cc files).
#include <chrono>
#include <memory>

#include <caf/all.hpp>

#include "common/messaging/caf_types.h"
#include "services/coordinator/coordinator_state.h"

namespace sluice::coordinator {

using rpc_atom = caf::atom_constant<caf::atom("rpc")>;
using sweep_atom = caf::atom_constant<caf::atom("sweep")>;
using rebalance_atom = caf::atom_constant<caf::atom("rebalance")>;

/// Serialises every request on the state (one actor = one writer, as LMDB
/// wants) and sweeps expired leases on a delayed_send timer every
/// `sweep_every`. Messages: (rpc_atom, shared_message, responder) ->
/// replies through the responder; (sweep_atom) from itself; (rebalance_atom)
/// from itself every options().auto_leader_rebalance (preferred leaders back).
caf::behavior coordinator_actor(caf::event_based_actor* self, std::shared_ptr<coordinator_state> state,
                                std::chrono::milliseconds sweep_every);

}  // namespace sluice::coordinator
