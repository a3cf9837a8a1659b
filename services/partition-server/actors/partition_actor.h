#pragma once
// The actor that owns one replica's partition_state.
#include <chrono>
#include <memory>

#include <caf/event_based_actor.hpp>

#include "services/partition-server/actors/type_ids.h"
#include "services/partition-server/partition_state.h"
#include "services/partition-server/txn_verifier.h"

namespace sluice::partition_server {

/// Serialises everything done to one replica. The logic is in
/// partition_state, which has no CAF in it so unit tests drive it without an
/// actor system; this only adapts messages to its calls and owns the timers:
///   (append_atom, produce_op_ptr, uint32)     append one entry of a produce (verified first, below)
///   (verified_atom, produce_op_ptr, uint32, uint64 guard, int16 code)  the coordinator's answer for one
///   (fetch_atom, fetch_op_ptr)                read the fetch's current partition, pass it on
///   (watch_atom, fetch_waiter_ptr, offset, bool, bool) park a long-poll fetch (a follower's; read_committed)
///   (offsets_atom, list_offsets_op_ptr, uint32)
///   (epoch_atom, epoch_offsets_op_ptr, uint32)
///   (marker_atom, write_txn_markers_op_ptr, uint32 marker, uint32 partition)  write one transaction marker
///   (delete_records_atom, delete_records_op_ptr, uint32)  move the log start, wait for the ISR to follow
///   (info_atom, PartitionInfo, node_id self)  role, epochs and ISR from metadata
///   (replicate_atom, fetched_partition_ptr) -> follower_position   a follower's fetch result
///   (position_atom) -> follower_position      where a follower stands
///   (isr_result_atom, PartitionIsrResult)     the coordinator's answer to our ISR proposal
///   (commit_tick_atom), (isr_tick_atom)       from itself: acks=all and DeleteRecords deadlines, lagging followers
///   (config_atom, log_config)                 topic config changed
///   (stop_atom, bool remove) -> bool          close (and delete the dir), then quit
///   (retention_atom)                          from itself every `retention_check`
/// On any exit the log is flushed and closed.
/// ISR proposals go to `isr_sender` (one per server, batching them).
///
/// Transaction verification (KIP-890): an entry whose transactional batch
/// would open a transaction here is first checked with the transaction
/// coordinator through `verifier` (produce_op::verify_at); the answer comes
/// back as verified_atom and the entry is appended with its guard or
/// refused. Meanwhile the producer's later entries wait behind it
/// (verification_queue); other producers' do not. No verifier: the check
/// is answered COORDINATOR_NOT_AVAILABLE (retriable) at once.
caf::behavior partition_actor(caf::event_based_actor* self, std::shared_ptr<partition_state> state,
                              std::chrono::milliseconds retention_check, caf::actor isr_sender,
                              txn_verifier_ptr verifier);

/// Wakes parked fetches whose max_wait_ms is over: (timeout_atom, fetch_waiter_ptr).
caf::behavior fetch_timer(caf::event_based_actor* self);

}  // namespace sluice::partition_server
