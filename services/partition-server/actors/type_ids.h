#pragma once
// Every atom and message type of the partition server's actors, in one place
// (STYLE.md §5). CAF 0.17 has no type-id blocks: types that travel in
// messages are whitelisted with CAF_ALLOW_UNSAFE_MESSAGE_TYPE (they never
// leave the process) and big ones travel as shared_ptr.
#include <memory>

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/atom.hpp>

#include "common/cluster/metadata_view.h"
#include "common/config/topic_config.h"
#include "common/messaging/caf_types.h"

namespace sluice::partition_server {

class produce_op;
class fetch_op;
class list_offsets_op;
class fetch_waiter;

// partition_actor
using append_atom = caf::atom_constant<caf::atom("append")>;      // (shared_ptr<produce_op>, uint32 index)
using fetch_atom = caf::atom_constant<caf::atom("fetch")>;        // (shared_ptr<fetch_op>)
using watch_atom = caf::atom_constant<caf::atom("watch")>;        // (shared_ptr<fetch_waiter>, int64 end_seen)
using offsets_atom = caf::atom_constant<caf::atom("offsets")>;    // (shared_ptr<list_offsets_op>, uint32 index)
using leader_atom = caf::atom_constant<caf::atom("leader")>;      // (bool leader, int32 epoch)
using config_atom = caf::atom_constant<caf::atom("config")>;      // (log_config)
using stop_atom = caf::atom_constant<caf::atom("stop")>;          // (bool remove) -> bool
using retention_atom = caf::atom_constant<caf::atom("retention")>; // () from itself, periodically
// fetch_timer
using timeout_atom = caf::atom_constant<caf::atom("timeout")>;    // (shared_ptr<fetch_waiter>)
// replica_manager
using view_atom = caf::atom_constant<caf::atom("view")>;          // (shared_ptr<const metadata_view>, int32 node)

using produce_op_ptr = std::shared_ptr<produce_op>;
using fetch_op_ptr = std::shared_ptr<fetch_op>;
using list_offsets_op_ptr = std::shared_ptr<list_offsets_op>;
using fetch_waiter_ptr = std::shared_ptr<fetch_waiter>;
using view_ptr = std::shared_ptr<const cluster::metadata_view>;

}  // namespace sluice::partition_server

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sluice::partition_server::produce_op_ptr)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sluice::partition_server::fetch_op_ptr)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sluice::partition_server::list_offsets_op_ptr)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sluice::partition_server::fetch_waiter_ptr)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sluice::partition_server::view_ptr)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sluice::config::log_config)
