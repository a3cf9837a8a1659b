#pragma once
// Lets RPC requests and their responders travel inside CAF messages.
// CAF 0.17 needs copyable, whitelisted types: a message is move-only, so it
// travels as a shared_ptr.
#include <memory>

#include <caf/allowed_unsafe_message_type.hpp>

#include "common/messaging/frame.h"
#include "common/messaging/rpc_server.h"

namespace sluice::messaging {
using shared_message = std::shared_ptr<message>;
}  // namespace sluice::messaging

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sluice::messaging::shared_message)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sluice::messaging::responder)
