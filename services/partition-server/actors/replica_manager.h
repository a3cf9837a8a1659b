#pragma once
// Decides which replicas this server hosts and keeps one actor per replica.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>

#include <caf/event_based_actor.hpp>

#include "services/partition-server/actors/type_ids.h"
#include "services/partition-server/partition_state.h"
#include "services/partition-server/routing_table.h"
#include "services/partition-server/txn_verifier.h"

namespace sluice::partition_server {

struct replica_manager_options {
  std::filesystem::path data_dir;
  std::shared_ptr<routing_table> routes;
  /// Set to each metadata version once its replicas are open and routed;
  /// main() waits on it before saying `ready`.
  std::shared_ptr<std::atomic<std::uint64_t>> applied_version;
  /// How often each replica applies retention.ms / retention.bytes.
  std::chrono::milliseconds retention_check{std::chrono::seconds(60)};
  replication_options replication;
  /// Batches the leaders' ISR proposals to the coordinator (isr_sender).
  caf::actor isr_sender;
  /// The leaders' way to the transaction coordinator (KIP-890), shared by every replica.
  txn_verifier_ptr verifier;
};

/// Reconciles hosted replicas with each metadata view ((view_atom, view,
/// node_id) from the cluster_client listener):
/// - every partition whose replicas include this node is hosted: its log dir
///   prepared (wiped if it held another incarnation of the topic), the log
///   opened, a partition_actor spawned; role/ISR (PartitionInfo) and topic
///   config changes are forwarded to that actor;
/// - every hosted replica led by another live server is copied by the
///   replica_fetcher of that server (one per source server, spawned and
///   stopped here as leaderships move);
/// - a hosted replica whose topic was deleted or recreated (new topic id) is
///   stopped and its directory deleted; the new incarnation opens only after
///   the old actor confirmed, so two logs never share a directory;
/// - on the first view, directories of topics deleted while the server was
///   down are removed.
/// After each view it publishes fresh routes for the RPC handlers.
/// (fence_atom) — the lease was lost — demotes every replica it leads at
/// once (pending acks=all writes fail with NOT_LEADER) until a view says
/// otherwise.
///
/// Logs are opened inside this actor (recovery may take a while; requests
/// for those partitions answer UNKNOWN_PARTITION until routed). On exit it
/// shuts down every replica actor, which flush and close their logs.
caf::behavior replica_manager(caf::event_based_actor* self, replica_manager_options options);

}  // namespace sluice::partition_server
