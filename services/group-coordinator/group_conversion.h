#pragma once
// KIP-848 online migration: a group with members changing protocol, as
// Kafka 4's GroupMetadataManager converts it (convertToConsumerGroup,
// convertToClassicGroup):
//
// - upgrade: a ConsumerGroupHeartbeat joins a classic "consumer" group with
//   members. The classic members become members of a KIP-848 group at the
//   classic generation (group, assignment and member epochs), each keeping
//   the partitions the leader last gave it as its assignment and its target
//   (ConsumerGroup.fromClassicGroup); the joining member then starts the
//   next epoch, and the classic members learn of it from their Heartbeat.
// - downgrade: the last member speaking ConsumerGroupHeartbeat leaves a
//   group whose other members all joined with JoinGroup. They become a
//   classic group at the group epoch, each with its target assignment, and
//   a rebalance starts (ClassicGroup.fromConsumerGroup).
//
// Pure functions over the two group values; group_shard writes the records
// (the old group's tombstones, the new one's records) and swaps the groups
// once they are durable. Committed offsets belong to the id and stay.
#include <optional>

#include "services/group-coordinator/classic/classic_group.h"
#include "services/group-coordinator/consumer/consumer_group.h"

namespace sluice::group_coordinator {

/// Whether a group may be upgraded (the policy allows it, its members use
/// the consumer protocol type and it is not over the group size).
bool upgrade_allowed(const classic_group& g, const group_options& options);
/// The KIP-848 group `g` becomes; nullopt when a member's subscription or
/// assignment is not the consumer protocol's (Kafka then refuses the upgrade
/// with GROUP_ID_NOT_FOUND). Topics the catalog does not know drop out.
std::optional<consumer_group> consumer_group_from_classic(const classic_group& g, const group_options& options,
                                                          const topic_catalog& topics, time_point now);

/// Whether a change from `before` to `after` downgrades the group: the
/// policy allows it, `before` had a member speaking ConsumerGroupHeartbeat,
/// `after` has members and all of them joined with JoinGroup.
bool downgrade_due(const consumer_group& before, const consumer_group& after, const group_options& options);
/// The classic group the classic members of `g` become, rebalancing.
classic_group classic_group_from_consumer(const consumer_group& g, const group_options& options, time_point now);

}  // namespace sluice::group_coordinator
