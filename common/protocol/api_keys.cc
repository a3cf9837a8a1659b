#include "common/protocol/api_keys.h"

namespace sluice::protocol {

namespace {

struct api_info {
    std::string_view name;
    std::int16_t first_flexible;  // -1: never flexible
};

// One row per Kafka API; the first flexible versions are taken from Kafka's
// message definitions (trunk, October 2024).
std::optional<api_info> info(api_key key) {
    switch (key) {
        case api_key::produce: return api_info{"Produce", 9};
        case api_key::fetch: return api_info{"Fetch", 12};
        case api_key::list_offsets: return api_info{"ListOffsets", 6};
        case api_key::metadata: return api_info{"Metadata", 9};
        case api_key::leader_and_isr: return api_info{"LeaderAndIsr", 4};
        case api_key::stop_replica: return api_info{"StopReplica", 2};
        case api_key::update_metadata: return api_info{"UpdateMetadata", 6};
        case api_key::controlled_shutdown: return api_info{"ControlledShutdown", 3};
        case api_key::offset_commit: return api_info{"OffsetCommit", 8};
        case api_key::offset_fetch: return api_info{"OffsetFetch", 6};
        case api_key::find_coordinator: return api_info{"FindCoordinator", 3};
        case api_key::join_group: return api_info{"JoinGroup", 6};
        case api_key::heartbeat: return api_info{"Heartbeat", 4};
        case api_key::leave_group: return api_info{"LeaveGroup", 4};
        case api_key::sync_group: return api_info{"SyncGroup", 4};
        case api_key::describe_groups: return api_info{"DescribeGroups", 5};
        case api_key::list_groups: return api_info{"ListGroups", 3};
        case api_key::sasl_handshake: return api_info{"SaslHandshake", -1};
        case api_key::api_versions: return api_info{"ApiVersions", 3};
        case api_key::create_topics: return api_info{"CreateTopics", 5};
        case api_key::delete_topics: return api_info{"DeleteTopics", 4};
        case api_key::delete_records: return api_info{"DeleteRecords", 2};
        case api_key::init_producer_id: return api_info{"InitProducerId", 2};
        case api_key::offset_for_leader_epoch: return api_info{"OffsetForLeaderEpoch", 4};
        case api_key::add_partitions_to_txn: return api_info{"AddPartitionsToTxn", 3};
        case api_key::add_offsets_to_txn: return api_info{"AddOffsetsToTxn", 3};
        case api_key::end_txn: return api_info{"EndTxn", 3};
        case api_key::write_txn_markers: return api_info{"WriteTxnMarkers", 1};
        case api_key::txn_offset_commit: return api_info{"TxnOffsetCommit", 3};
        case api_key::describe_acls: return api_info{"DescribeAcls", 2};
        case api_key::create_acls: return api_info{"CreateAcls", 2};
        case api_key::delete_acls: return api_info{"DeleteAcls", 2};
        case api_key::describe_configs: return api_info{"DescribeConfigs", 4};
        case api_key::alter_configs: return api_info{"AlterConfigs", 2};
        case api_key::alter_replica_log_dirs: return api_info{"AlterReplicaLogDirs", 2};
        case api_key::describe_log_dirs: return api_info{"DescribeLogDirs", 2};
        case api_key::sasl_authenticate: return api_info{"SaslAuthenticate", 2};
        case api_key::create_partitions: return api_info{"CreatePartitions", 2};
        case api_key::create_delegation_token: return api_info{"CreateDelegationToken", 2};
        case api_key::renew_delegation_token: return api_info{"RenewDelegationToken", 2};
        case api_key::expire_delegation_token: return api_info{"ExpireDelegationToken", 2};
        case api_key::describe_delegation_token: return api_info{"DescribeDelegationToken", 2};
        case api_key::delete_groups: return api_info{"DeleteGroups", 2};
        case api_key::elect_leaders: return api_info{"ElectLeaders", 2};
        case api_key::incremental_alter_configs: return api_info{"IncrementalAlterConfigs", 1};
        case api_key::alter_partition_reassignments: return api_info{"AlterPartitionReassignments", 0};
        case api_key::list_partition_reassignments: return api_info{"ListPartitionReassignments", 0};
        case api_key::offset_delete: return api_info{"OffsetDelete", -1};
        case api_key::describe_client_quotas: return api_info{"DescribeClientQuotas", 1};
        case api_key::alter_client_quotas: return api_info{"AlterClientQuotas", 1};
        case api_key::describe_user_scram_credentials: return api_info{"DescribeUserScramCredentials", 0};
        case api_key::alter_user_scram_credentials: return api_info{"AlterUserScramCredentials", 0};
        case api_key::vote: return api_info{"Vote", 0};
        case api_key::begin_quorum_epoch: return api_info{"BeginQuorumEpoch", 1};
        case api_key::end_quorum_epoch: return api_info{"EndQuorumEpoch", 1};
        case api_key::describe_quorum: return api_info{"DescribeQuorum", 0};
        case api_key::alter_partition: return api_info{"AlterPartition", 0};
        case api_key::update_features: return api_info{"UpdateFeatures", 0};
        case api_key::envelope: return api_info{"Envelope", 0};
        case api_key::fetch_snapshot: return api_info{"FetchSnapshot", 0};
        case api_key::describe_cluster: return api_info{"DescribeCluster", 0};
        case api_key::describe_producers: return api_info{"DescribeProducers", 0};
        case api_key::broker_registration: return api_info{"BrokerRegistration", 0};
        case api_key::broker_heartbeat: return api_info{"BrokerHeartbeat", 0};
        case api_key::unregister_broker: return api_info{"UnregisterBroker", 0};
        case api_key::describe_transactions: return api_info{"DescribeTransactions", 0};
        case api_key::list_transactions: return api_info{"ListTransactions", 0};
        case api_key::allocate_producer_ids: return api_info{"AllocateProducerIds", 0};
        case api_key::consumer_group_heartbeat: return api_info{"ConsumerGroupHeartbeat", 0};
        case api_key::consumer_group_describe: return api_info{"ConsumerGroupDescribe", 0};
        case api_key::controller_registration: return api_info{"ControllerRegistration", 0};
        case api_key::get_telemetry_subscriptions: return api_info{"GetTelemetrySubscriptions", 0};
        case api_key::push_telemetry: return api_info{"PushTelemetry", 0};
        case api_key::assign_replicas_to_dirs: return api_info{"AssignReplicasToDirs", 0};
        case api_key::list_client_metrics_resources: return api_info{"ListClientMetricsResources", 0};
        case api_key::describe_topic_partitions: return api_info{"DescribeTopicPartitions", 0};
        case api_key::share_group_heartbeat: return api_info{"ShareGroupHeartbeat", 0};
        case api_key::share_group_describe: return api_info{"ShareGroupDescribe", 0};
        case api_key::share_fetch: return api_info{"ShareFetch", 0};
        case api_key::share_acknowledge: return api_info{"ShareAcknowledge", 0};
        case api_key::add_raft_voter: return api_info{"AddRaftVoter", 0};
        case api_key::remove_raft_voter: return api_info{"RemoveRaftVoter", 0};
        case api_key::update_raft_voter: return api_info{"UpdateRaftVoter", 0};
        case api_key::initialize_share_group_state: return api_info{"InitializeShareGroupState", 0};
        case api_key::read_share_group_state: return api_info{"ReadShareGroupState", 0};
        case api_key::write_share_group_state: return api_info{"WriteShareGroupState", 0};
        case api_key::delete_share_group_state: return api_info{"DeleteShareGroupState", 0};
        case api_key::read_share_group_state_summary: return api_info{"ReadShareGroupStateSummary", 0};
    }
    return std::nullopt;
}

}  // namespace

std::string_view api_name(api_key key) {
    auto i = info(key);
    return i ? i->name : std::string_view("Unknown");
}

bool is_known_api(std::int16_t key) { return info(static_cast<api_key>(key)).has_value(); }

std::optional<std::int16_t> first_flexible_version(api_key key) {
    auto i = info(key);
    if (!i || i->first_flexible < 0) return std::nullopt;
    return i->first_flexible;
}

bool is_flexible(api_key key, std::int16_t version) {
    auto first = first_flexible_version(key);
    return first && version >= *first;
}

std::int16_t request_header_version(api_key key, std::int16_t version) {
    if (key == api_key::controlled_shutdown && version == 0) return 0;
    return is_flexible(key, version) ? 2 : 1;
}

std::int16_t response_header_version(api_key key, std::int16_t version) {
    if (key == api_key::api_versions) return 0;
    return is_flexible(key, version) ? 1 : 0;
}

}  // namespace sluice::protocol
