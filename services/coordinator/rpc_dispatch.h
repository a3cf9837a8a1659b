#pragma once
// Decodes one coordinator RPC, runs it against the state, encodes the reply.
#include "common/messaging/frame.h"
#include "services/coordinator/coordinator_state.h"

namespace sluice::coordinator {

/// Pure function of (state, request, now) -> reply; the actor calls it and
/// tests can too. A header that does not parse gets `bad_request`, an
/// unknown method `unknown_method`.
messaging::message handle_request(coordinator_state& state, const messaging::message& request,
                                  coordinator_state::time_point now);

}  // namespace sluice::coordinator
