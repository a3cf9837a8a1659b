#pragma once
// The one actor that runs a group_service: every RPC, metadata change,
// append/read completion and timer reaches the service through it.
//   (rpc_atom, shared_message, responder)   a forwarded Kafka group request
//   (run_atom, posted_task)                 work posted from another thread
//   (view_atom, metadata view)              new metadata from the cluster client
//   (lease_lost_atom)                       the coordinator refused our heartbeat
//   (tick_atom)                             from itself every `tick`
#include <chrono>
#include <functional>
#include <memory>

#include <caf/all.hpp>

#include "common/messaging/caf_types.h"
#include "services/group-coordinator/group_service.h"

namespace sluice::group_coordinator {

using rpc_atom = caf::atom_constant<caf::atom("rpc")>;
using run_atom = caf::atom_constant<caf::atom("run")>;
using tick_atom = caf::atom_constant<caf::atom("tick")>;
using view_atom = caf::atom_constant<caf::atom("view")>;
using lease_lost_atom = caf::atom_constant<caf::atom("leaselost")>;
using shared_view = std::shared_ptr<const cluster::metadata_view>;

struct posted_task {
  std::function<void()> run;
};

/// `service` is made by `make` inside the actor, with a post function that
/// sends to this actor.
caf::behavior group_service_actor(caf::event_based_actor* self,
                                  std::function<std::shared_ptr<group_service>(group_service::post_fn)> make,
                                  std::chrono::milliseconds tick);

}  // namespace sluice::group_coordinator

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sluice::group_coordinator::posted_task)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sluice::group_coordinator::shared_view)
