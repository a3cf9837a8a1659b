#pragma once
// Every atom and message type of the partition server's actors, in one place,
// so the protocol between them reads in one file and no two atoms collide.
// CAF 0.17 has no type-id blocks: types that travel in messages are
// whitelisted with CAF_ALLOW_UNSAFE_MESSAGE_TYPE (they never leave the
// process) and big ones travel as shared_ptr.
#include <memory>

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/atom.hpp>

#include "common/cluster/metadata_view.h"
#include "common/messaging/frame.h"
#include "coordinator.pb.h"
#include "metadata.pb.h"
#include "partition.pb.h"
#include "common/base/types.h"
#include "common/config/topic_config.h"
#include "common/messaging/caf_types.h"

namespace sluice::partition_server {

class produce_op;
class fetch_op;
class list_offsets_op;
class fetch_waiter;
class epoch_offsets_op;
class write_txn_markers_op;
class describe_producers_op;
class delete_records_op;
class describe_log_dirs_op;
struct follower_position;

/// One partition's share of a follower's fetch response, handed to its
/// actor: the response message stays alive while the slice is appended.
struct fetched_partition {
  std::shared_ptr<const messaging::message> reply;
  partition::v1::PartitionFetchResult result;
  std::size_t payload_offset = 0;   // where its records start in reply's payload
  leader_epoch fetched_at_epoch = no_leader_epoch;  // the leader epoch the fetch was sent with
};

// partition_actor
using append_atom = caf::atom_constant<caf::atom("append")>;      // (shared_ptr<produce_op>, uint32 index)
using verified_atom = caf::atom_constant<caf::atom("verified")>;  // (shared_ptr<produce_op>, uint32 index, uint64 guard, int16 code)
using fetch_atom = caf::atom_constant<caf::atom("fetch")>;        // (shared_ptr<fetch_op>)
using watch_atom = caf::atom_constant<caf::atom("watch")>;        // (shared_ptr<fetch_waiter>, offset end_seen, bool replica, bool read_committed)
using offsets_atom = caf::atom_constant<caf::atom("offsets")>;    // (shared_ptr<list_offsets_op>, uint32 index)
using epoch_atom = caf::atom_constant<caf::atom("epoch")>;        // (shared_ptr<epoch_offsets_op>, uint32 index)
using marker_atom = caf::atom_constant<caf::atom("marker")>;      // (shared_ptr<write_txn_markers_op>, uint32 marker, uint32 partition)
using producers_atom = caf::atom_constant<caf::atom("producers")>; // (shared_ptr<describe_producers_op>, uint32 index)
using delete_records_atom = caf::atom_constant<caf::atom("delrecords")>; // (shared_ptr<delete_records_op>, uint32 index)
using log_dir_atom = caf::atom_constant<caf::atom("logdir")>;   // (shared_ptr<describe_log_dirs_op>, uint32 index)
using info_atom = caf::atom_constant<caf::atom("info")>;          // (PartitionInfo, node_id self) from the manager
using replicate_atom = caf::atom_constant<caf::atom("replicate")>; // (shared_ptr<fetched_partition>) -> follower_position
using position_atom = caf::atom_constant<caf::atom("position")>;  // () -> follower_position
using commit_tick_atom = caf::atom_constant<caf::atom("committick")>; // () from itself: acks=all deadlines
using isr_tick_atom = caf::atom_constant<caf::atom("isrtick")>;   // () from itself: lagging followers
using isr_result_atom = caf::atom_constant<caf::atom("isrresult")>; // (PartitionIsrResult) from isr_sender
using config_atom = caf::atom_constant<caf::atom("config")>;      // (log_config)
using stop_atom = caf::atom_constant<caf::atom("stop")>;          // (bool remove) -> bool
using retention_atom = caf::atom_constant<caf::atom("retention")>; // () from itself, periodically
// fetch_timer
using timeout_atom = caf::atom_constant<caf::atom("timeout")>;    // (shared_ptr<fetch_waiter>)
// replica_manager
using view_atom = caf::atom_constant<caf::atom("view")>;          // (shared_ptr<const metadata_view>, node_id self)
using fence_atom = caf::atom_constant<caf::atom("fence")>;        // () the lease was lost: stop leading
// replica_fetcher
using follow_atom = caf::atom_constant<caf::atom("follow")>;      // (string topic, int32 partition, actor)
using unfollow_atom = caf::atom_constant<caf::atom("unfollow")>;  // (string topic, int32 partition)
using url_atom = caf::atom_constant<caf::atom("url")>;            // (string rpc_url of the leader's server)
using fetched_atom = caf::atom_constant<caf::atom("fetched")>;    // (shared_ptr<const message>, bool ok)
using next_atom = caf::atom_constant<caf::atom("next")>;          // () from itself: next fetch
// isr_sender
using isr_atom = caf::atom_constant<caf::atom("isr")>;            // (PartitionIsrChange, actor partition)
using flush_atom = caf::atom_constant<caf::atom("flush")>;        // () from itself
using isr_done_atom = caf::atom_constant<caf::atom("isrdone")>;   // (shared_ptr<isr_batch_result>)

using produce_op_ptr = std::shared_ptr<produce_op>;
using fetch_op_ptr = std::shared_ptr<fetch_op>;
using list_offsets_op_ptr = std::shared_ptr<list_offsets_op>;
using fetch_waiter_ptr = std::shared_ptr<fetch_waiter>;
using view_ptr = std::shared_ptr<const cluster::metadata_view>;
using epoch_offsets_op_ptr = std::shared_ptr<epoch_offsets_op>;
using write_txn_markers_op_ptr = std::shared_ptr<write_txn_markers_op>;
using describe_producers_op_ptr = std::shared_ptr<describe_producers_op>;
using delete_records_op_ptr = std::shared_ptr<delete_records_op>;
using describe_log_dirs_op_ptr = std::shared_ptr<describe_log_dirs_op>;
using fetched_partition_ptr = std::shared_ptr<const fetched_partition>;
using message_ptr = std::shared_ptr<const messaging::message>;

}  // namespace sluice::partition_server

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sluice::offset)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sluice::node_id)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sluice::partition_server::produce_op_ptr)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sluice::partition_server::fetch_op_ptr)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sluice::partition_server::list_offsets_op_ptr)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sluice::partition_server::fetch_waiter_ptr)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sluice::partition_server::view_ptr)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sluice::config::log_config)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sluice::partition_server::epoch_offsets_op_ptr)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sluice::partition_server::write_txn_markers_op_ptr)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sluice::partition_server::describe_producers_op_ptr)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sluice::partition_server::delete_records_op_ptr)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sluice::partition_server::describe_log_dirs_op_ptr)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sluice::partition_server::fetched_partition_ptr)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sluice::partition_server::message_ptr)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sluice::partition_server::follower_position)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sluice::metadata::v1::PartitionInfo)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sluice::coordinator::v1::PartitionIsrChange)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sluice::coordinator::v1::PartitionIsrResult)
