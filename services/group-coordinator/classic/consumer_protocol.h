#pragma once
// The classic consumer protocol's opaque bytes, where the group coordinator
// needs them: the subscribed topics out of a member's metadata
// (ConsumerProtocolSubscription), for OffsetDelete's GROUP_SUBSCRIBED_TO_TOPIC
// check; and the same formats written for KIP-848 members, so DescribeGroups
// shows them to tools that only speak the classic API.
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::group_coordinator {

/// The topics in a ConsumerProtocolSubscription (any version: the topic
/// array follows the version in all of them); empty when it does not parse.
std::vector<std::string> subscription_topics(std::string_view metadata);

/// ConsumerProtocolSubscription v0: the topics, no user data.
std::string encode_subscription(const std::vector<std::string>& topics);
/// ConsumerProtocolAssignment v0: topic -> partitions, no user data.
std::string encode_assignment(const std::map<std::string, std::vector<std::int32_t>>& partitions);

}  // namespace sluice::group_coordinator
