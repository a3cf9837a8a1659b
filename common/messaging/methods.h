#pragma once
// Method ids of every service-to-service RPC. One list so ids never clash.
#include <cstdint>

namespace sluice::messaging::method {

// coordinator (common/proto/coordinator.proto)
inline constexpr std::uint16_t register_service = 1;
inline constexpr std::uint16_t heartbeat = 2;
inline constexpr std::uint16_t get_snapshot = 3;
inline constexpr std::uint16_t create_topics = 4;
inline constexpr std::uint16_t delete_topics = 5;
inline constexpr std::uint16_t create_partitions = 6;
inline constexpr std::uint16_t alter_topic_configs = 7;
inline constexpr std::uint16_t alter_partition = 8;
inline constexpr std::uint16_t controlled_shutdown = 9;
inline constexpr std::uint16_t elect_leaders = 10;
inline constexpr std::uint16_t alter_partition_reassignments = 11;
inline constexpr std::uint16_t list_partition_reassignments = 12;
inline constexpr std::uint16_t allocate_producer_ids = 13;
inline constexpr std::uint16_t alter_broker_configs = 14;  // issue 11: dynamic broker configs
inline constexpr std::uint16_t update_features = 15;  // issue 11: Kafka's UpdateFeatures (finalized levels)

// partition server (common/proto/partition.proto)
inline constexpr std::uint16_t produce = 100;
inline constexpr std::uint16_t fetch = 101;
inline constexpr std::uint16_t list_offsets = 102;
inline constexpr std::uint16_t offset_for_leader_epoch = 104;  // fetch (101) with replica_id >= 0 replicates
inline constexpr std::uint16_t write_txn_markers = 105;
inline constexpr std::uint16_t describe_producers = 106;
inline constexpr std::uint16_t delete_records = 107;  // issue 11: DeleteRecords at the leader
inline constexpr std::uint16_t describe_log_dirs = 108;  // issue 11: a server's log dir and replica sizes

// group coordinator (common/proto/group.proto)
inline constexpr std::uint16_t kafka_group_request = 200;
// Transaction markers for the __consumer_offsets partitions an instance owns
// (partition.proto WriteTxnMarkersRequest/Response).
inline constexpr std::uint16_t write_txn_markers_group = 201;

}  // namespace sluice::messaging::method
