#pragma once
// The numbers every service passes around, each its own type (named_type.h):
// mixing up an offset and an epoch, or a node id and a partition index, does
// not compile. The raw value, `x()`, is for the wire (Kafka, protobuf) and
// for disk.
#include <cstdint>

#include "common/base/named_type.h"

namespace sluice {

/// A record's position in a partition log (Kafka's offset). Log start, log
/// end, high watermark and fetch positions are offsets.
using offset = named_type<std::int64_t, struct offset_tag>;

/// The epoch of a partition's leadership: +1 at every leader change, stamped
/// into every batch the leader writes (Kafka's leader epoch).
using leader_epoch = named_type<std::int32_t, struct leader_epoch_tag>;

/// The version of a partition's replica set and ISR: +1 at every change of
/// either (Kafka's partition epoch, KIP-497).
using partition_epoch = named_type<std::int32_t, struct partition_epoch_tag>;

/// A service's id, unique across the cluster, given by the coordinator.
using node_id = named_type<std::int32_t, struct node_id_tag>;

/// The coordinator's epoch for one group coordinator's ownership of one
/// __consumer_offsets partition: +1 at every change of hands.
using shard_epoch = named_type<std::int64_t, struct shard_epoch_tag>;

/// "None" values, as Kafka writes them on the wire.
inline constexpr node_id no_node{-1};                // no leader, not a replica
inline constexpr leader_epoch no_leader_epoch{-1};   // never led, or not checked
inline constexpr offset no_offset{-1};               // unknown or not applicable

}  // namespace sluice
