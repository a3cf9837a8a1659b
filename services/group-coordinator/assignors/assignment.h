#pragma once
// Server-side partition assignment (KIP-848 `uniform` and `range`): inputs
// and outputs shared by the assignors.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace sluice::group_coordinator {

/// topic -> partitions, each list sorted.
using member_assignment = std::map<std::string, std::vector<std::int32_t>>;
/// member id -> what it gets.
using group_assignment = std::map<std::string, member_assignment>;

struct member_subscription {
  std::string member_id;
  std::vector<std::string> topics;   // subscribed topic names
  member_assignment current;         // what it owns now (stickiness)
};

/// topic -> partition count, for the topics that exist.
using topic_partitions = std::map<std::string, std::int32_t>;

/// KIP-848 `uniform` (the default): every partition of a subscribed topic
/// goes to exactly one member subscribed to it; counts differ by at most
/// one between members that could trade partitions; members keep what they
/// own when that stays balanced.
group_assignment assign_uniform(const std::vector<member_subscription>& members, const topic_partitions& topics);

/// KIP-848 `range`: per topic, the subscribed members sorted by id get
/// contiguous ranges, the first (count % members) one partition more.
group_assignment assign_range(const std::vector<member_subscription>& members, const topic_partitions& topics);

}  // namespace sluice::group_coordinator
