#pragma once
// The Kafka APIs this gateway serves. One list (registry.cc) drives both
// dispatch by api key and the ApiVersions answer, so we never advertise an
// API we do not handle.
#include <cstdint>
#include <span>

#include "common/protocol/api_keys.h"
#include "services/gateway/request_context.h"

namespace sluice::gateway {

struct handler {
  protocol::api_key key;
  std::int16_t min_version;  // advertised range
  std::int16_t max_version;
  // Versions below this are advertised (for client feature checks) but
  // refused by closing the connection, as Kafka 4 does.
  std::int16_t min_served_version;
  void (*handle)(request_context ctx);
};

/// Every handler, sorted by api key.
std::span<const handler> handlers() noexcept;
/// nullptr for an api key we do not serve.
const handler* find_handler(std::int16_t api_key) noexcept;

// One function per Kafka API, each in handlers/<api>.cc.
void handle_api_versions(request_context ctx);
void handle_metadata(request_context ctx);
void handle_produce(request_context ctx);
void handle_fetch(request_context ctx);
void handle_list_offsets(request_context ctx);
void handle_create_topics(request_context ctx);
void handle_delete_topics(request_context ctx);
void handle_create_partitions(request_context ctx);
void handle_describe_configs(request_context ctx);
void handle_alter_configs(request_context ctx);
void handle_incremental_alter_configs(request_context ctx);
void handle_describe_cluster(request_context ctx);
void handle_describe_topic_partitions(request_context ctx);
void handle_find_coordinator(request_context ctx);
void handle_offset_for_leader_epoch(request_context ctx);
void handle_elect_leaders(request_context ctx);
void handle_alter_partition_reassignments(request_context ctx);
void handle_list_partition_reassignments(request_context ctx);
// Finalized feature levels, kept by the coordinator.
void handle_update_features(request_context ctx);
// Consumer groups, forwarded to the group coordinators (group_routing.h).
void handle_join_group(request_context ctx);
void handle_sync_group(request_context ctx);
void handle_heartbeat(request_context ctx);
void handle_leave_group(request_context ctx);
void handle_offset_commit(request_context ctx);
void handle_offset_fetch(request_context ctx);
void handle_offset_delete(request_context ctx);
void handle_describe_groups(request_context ctx);
void handle_list_groups(request_context ctx);
void handle_delete_groups(request_context ctx);
void handle_consumer_group_heartbeat(request_context ctx);
void handle_consumer_group_describe(request_context ctx);
// Transactions: the transactional id's requests go to the transaction
// coordinator owning its shard (txn_routing.h); TxnOffsetCommit to the group's.
void handle_init_producer_id(request_context ctx);
void handle_add_partitions_to_txn(request_context ctx);
void handle_add_offsets_to_txn(request_context ctx);
void handle_end_txn(request_context ctx);
void handle_txn_offset_commit(request_context ctx);
void handle_describe_transactions(request_context ctx);
void handle_list_transactions(request_context ctx);
// Producer state of partitions, from their leaders.
void handle_describe_producers(request_context ctx);
// Log start offsets moved by each partition's leader.
void handle_delete_records(request_context ctx);
// The log directory and replica sizes of the partition server a request was sent to.
void handle_describe_log_dirs(request_context ctx);

}  // namespace sluice::gateway
