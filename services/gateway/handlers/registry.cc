// The list of served APIs and the reason behind each version range (what
// Kafka 4.x accepts, what librdkafka, kafka-python and the Java client send;
// docs/protocol.md has the table).
#include <algorithm>
#include <array>

#include "services/gateway/handlers/handler.h"

namespace sluice::gateway {
namespace {

using protocol::api_key;

constexpr std::array served{
    // v0–2 carry message formats 0/1, which we never store; librdkafka still
    // needs Produce v0 advertised before it compresses (KAFKA-18659). v11 may
    // answer TRANSACTION_ABORTABLE; v12 (transaction version 2) has the leader
    // add the partition to the transaction (produce_versions.h). v13+ names
    // topics by id, which arrives with a later issue.
    handler{api_key::produce, 0, 12, 3, handle_produce},
    // v4 is the first with RecordBatch v2 and isolation_level; v7+ carries
    // fetch sessions (KIP-227), v13+ names topics by id; v14-17 change nothing
    // a consumer's fetch uses (tiered storage's error, follower fields, tagged
    // fields we leave empty).
    handler{api_key::fetch, 4, 17, 4, handle_fetch},
    // librdkafka 1.7 (confluent-kafka 1.7) sends v0 for offset resets.
    handler{api_key::list_offsets, 0, 7, 0, handle_list_offsets},
    handler{api_key::metadata, 0, 12, 0, handle_metadata},
    // Groups (key type 0) and transactional ids (1); v4+ batches keys.
    // librdkafka also needs v0 advertised before it enables lz4.
    handler{api_key::find_coordinator, 0, 6, 0, handle_find_coordinator},
    // Consumer groups: every version Kafka 3.x serves, forwarded to the group
    // coordinators. OffsetCommit v9 / OffsetFetch v9 carry KIP-848 member epochs.
    handler{api_key::offset_commit, 0, 9, 0, handle_offset_commit},
    handler{api_key::offset_fetch, 0, 9, 0, handle_offset_fetch},
    handler{api_key::join_group, 0, 9, 0, handle_join_group},
    handler{api_key::heartbeat, 0, 4, 0, handle_heartbeat},
    handler{api_key::leave_group, 0, 5, 0, handle_leave_group},
    handler{api_key::sync_group, 0, 5, 0, handle_sync_group},
    handler{api_key::describe_groups, 0, 5, 0, handle_describe_groups},
    handler{api_key::list_groups, 0, 5, 0, handle_list_groups},
    handler{api_key::delete_groups, 0, 2, 0, handle_delete_groups},
    handler{api_key::offset_delete, 0, 0, 0, handle_offset_delete},
    handler{api_key::consumer_group_heartbeat, 0, 1, 0, handle_consumer_group_heartbeat},
    handler{api_key::consumer_group_describe, 0, 0, 0, handle_consumer_group_describe},
    // Transactions: forwarded to the transaction coordinator owning the
    // transactional id's shard (txn_routing.h), bodies at the client's
    // version. Transaction version 2 (KIP-890 part 2, the `transaction.version`
    // feature ApiVersions finalizes) by request version, as Kafka: EndTxn v5
    // bumps the epoch and answers the new one, TxnOffsetCommit v5 has the group
    // coordinator add the offsets partition itself. AddPartitionsToTxn v4+ is
    // Kafka's inter-broker batch form.
    // Idempotent producers get their id from the gateway; transactional ones
    // from their transaction coordinator. v3 (KIP-360) carries the current
    // id and epoch; v6 (KIP-939, two-phase commit) is not served.
    handler{api_key::init_producer_id, 0, 5, 0, handle_init_producer_id},
    handler{api_key::add_partitions_to_txn, 0, 5, 0, handle_add_partitions_to_txn},
    handler{api_key::add_offsets_to_txn, 0, 4, 0, handle_add_offsets_to_txn},
    handler{api_key::end_txn, 0, 5, 0, handle_end_txn},
    handler{api_key::txn_offset_commit, 0, 5, 0, handle_txn_offset_commit},
    // Admin (KIP-664): producers from the partition leaders, transactions
    // from the transaction coordinators.
    handler{api_key::describe_producers, 0, 0, 0, handle_describe_producers},
    handler{api_key::describe_transactions, 0, 0, 0, handle_describe_transactions},
    handler{api_key::list_transactions, 0, 2, 0, handle_list_transactions},
    handler{api_key::api_versions, 0, 4, 0, handle_api_versions},
    handler{api_key::create_topics, 2, 7, 2, handle_create_topics},
    handler{api_key::delete_topics, 1, 6, 1, handle_delete_topics},
    handler{api_key::describe_configs, 1, 4, 1, handle_describe_configs},
    handler{api_key::alter_configs, 0, 2, 0, handle_alter_configs},
    handler{api_key::create_partitions, 0, 3, 0, handle_create_partitions},
    handler{api_key::delete_records, 0, 2, 0, handle_delete_records},  // v0-2: all Kafka 4.x serves
    // v0 was removed in Kafka 4.0 (advertised from v1, as Kafka 4 does); v5
    // (Kafka 4.4, KIP-1066) adds IsCordoned, always false: nothing cordons a
    // partition server's one directory.
    handler{api_key::describe_log_dirs, 1, 5, 1, handle_describe_log_dirs},
    handler{api_key::incremental_alter_configs, 0, 1, 0, handle_incremental_alter_configs},
    handler{api_key::describe_cluster, 0, 1, 0, handle_describe_cluster},
    // KIP-966: the Java admin's describeTopics from 3.8 on (v0, the only one).
    handler{api_key::describe_topic_partitions, 0, 0, 0, handle_describe_topic_partitions},
    // Consumer form (KIP-320): end offset of a leader epoch, from each partition's leader.
    handler{api_key::offset_for_leader_epoch, 0, 4, 0, handle_offset_for_leader_epoch},
    // Null partitions (every partition) from v0; v1 adds unclean elections.
    handler{api_key::elect_leaders, 0, 2, 0, handle_elect_leaders},
    // Replica ids here are partition-server node ids (see reassignment_mapping.h).
    handler{api_key::alter_partition_reassignments, 0, 0, 0, handle_alter_partition_reassignments},
    handler{api_key::list_partition_reassignments, 0, 0, 0, handle_list_partition_reassignments},
    // Finalized features (kafka-features): the coordinator keeps the levels.
    // v0-2, all Kafka 4.x serves; v2 answers without per-feature results.
    handler{api_key::update_features, 0, 2, 0, handle_update_features},
};

constexpr auto sorted_by_key() {
  auto list = served;
  std::sort(list.begin(), list.end(), [](const handler& a, const handler& b) { return a.key < b.key; });
  return list;
}
constexpr auto table = sorted_by_key();

}  // namespace

std::span<const handler> handlers() noexcept { return table; }

const handler* find_handler(std::int16_t api_key) noexcept {
  for (const auto& h : table) {
    if (static_cast<std::int16_t>(h.key) == api_key) return &h;
  }
  return nullptr;
}

}  // namespace sluice::gateway
