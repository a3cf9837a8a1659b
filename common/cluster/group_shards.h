#pragma once
// Where a consumer group lives: which partition of __consumer_offsets holds
// it (Kafka's rule, so the topic's layout matches what Kafka tools expect),
// and which group-coordinator instance serves that partition. A
// transactional id lives in the same-numbered partition of
// __transaction_state: shard p of both topics has one owner and one epoch.
#include <cstdint>
#include <string_view>

namespace sluice::metadata::v1 {
class GroupShard;
}

namespace sluice::cluster {

namespace mv1 = sluice::metadata::v1;
class metadata_view;

/// The internal topic holding offset commits and group metadata.
inline constexpr std::string_view offsets_topic = "__consumer_offsets";

/// Kafka's default offsets.topic.num.partitions.
inline constexpr std::int32_t default_offsets_partitions = 50;

/// The internal topic holding the transaction coordinator's state
/// (TransactionLogKey/Value records), sharded like the offsets topic.
inline constexpr std::string_view transaction_state_topic = "__transaction_state";

/// Kafka's default transaction.state.log.num.partitions; the same as the
/// offsets topic's, since partition p of both belongs to group shard p.
inline constexpr std::int32_t default_transaction_state_partitions = 50;
static_assert(default_transaction_state_partitions == default_offsets_partitions);

/// Java's String.hashCode of `s` (UTF-8 decoded to UTF-16 code units, as
/// Java strings are); invalid UTF-8 bytes count as U+FFFD, as Java's decoder does.
std::int32_t java_string_hash(std::string_view s);

/// Utils.abs(groupId.hashCode()) % partitions (Kafka's GroupCoordinator.partitionFor).
std::int32_t offsets_partition_for(std::string_view group_id, std::int32_t partitions = default_offsets_partitions);

/// Utils.abs(transactionalId.hashCode()) % partitions (Kafka's
/// TransactionStateManager.partitionFor): the same rule as for groups.
std::int32_t transaction_partition_for(std::string_view transactional_id,
                                       std::int32_t partitions = default_transaction_state_partitions);

/// Whether `topic` is one of the two topics sharded by group shard
/// (__consumer_offsets, __transaction_state), whose writers are fenced by
/// the shard's epoch.
bool is_group_sharded_topic(std::string_view topic);

/// The live group-coordinator instance the coordinator assigned `partition`
/// of __consumer_offsets to in `view` (mv1::GroupShards), or -1 when none.
/// An instance's death moves only its own partitions; a new instance takes
/// its share from the busiest.
std::int32_t offsets_partition_owner(const metadata_view& view, std::int32_t partition);

/// The partition's entry (owner and epoch), or nullptr before any group
/// coordinator registered.
const mv1::GroupShard* offsets_shard(const metadata_view& view, std::int32_t partition);

}  // namespace sluice::cluster
