#pragma once
// Where a consumer group lives: which partition of __consumer_offsets holds
// it (Kafka's rule, so the topic's layout matches what Kafka tools expect),
// and which group-coordinator instance serves that partition.
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

/// Java's String.hashCode of `s` (UTF-8 decoded to UTF-16 code units, as
/// Java strings are); invalid UTF-8 bytes count as U+FFFD, as Java's decoder does.
std::int32_t java_string_hash(std::string_view s);

/// Utils.abs(groupId.hashCode()) % partitions (Kafka's GroupCoordinator.partitionFor).
std::int32_t offsets_partition_for(std::string_view group_id, std::int32_t partitions = default_offsets_partitions);

/// The live group-coordinator instance the coordinator assigned `partition`
/// of __consumer_offsets to in `view` (mv1::GroupShards), or -1 when none.
/// An instance's death moves only its own partitions; a new instance takes
/// its share from the busiest.
std::int32_t offsets_partition_owner(const metadata_view& view, std::int32_t partition);

/// The partition's entry (owner and epoch), or nullptr before any group
/// coordinator registered.
const mv1::GroupShard* offsets_shard(const metadata_view& view, std::int32_t partition);

}  // namespace sluice::cluster
