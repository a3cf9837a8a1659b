#pragma once
// Which partition of __consumer_offsets holds a group: Kafka's rule, so the
// topic's layout matches what Kafka tools expect.
#include <cstdint>
#include <string_view>

namespace sluice::group_coordinator {

/// Kafka's default offsets.topic.num.partitions.
inline constexpr std::int32_t default_offsets_partitions = 50;

/// Java's String.hashCode of `s` (UTF-8 decoded to UTF-16 code units, as
/// Java strings are); invalid UTF-8 bytes count as U+FFFD, as Java's decoder does.
std::int32_t java_string_hash(std::string_view s);

/// Utils.abs(groupId.hashCode()) % partitions (Kafka's GroupCoordinator.partitionFor).
std::int32_t offsets_partition_for(std::string_view group_id, std::int32_t partitions = default_offsets_partitions);

}  // namespace sluice::group_coordinator
