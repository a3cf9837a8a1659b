#pragma once
// The classic consumer protocol's opaque bytes, where the group coordinator
// needs them: the subscribed topics out of a member's metadata
// (ConsumerProtocolSubscription), for OffsetDelete's GROUP_SUBSCRIBED_TO_TOPIC
// check; and the same formats written for KIP-848 members, so DescribeGroups
// shows them to tools that only speak the classic API. The layouts are the
// generated data messages (common/protocol/schema/data_messages/
// consumer_protocol_*).
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::group_coordinator {

/// The topics in a ConsumerProtocolSubscription of any version (a newer one
/// read as v3, as Kafka's consumers do); empty when it does not parse.
std::vector<std::string> subscription_topics(std::string_view metadata);

/// ConsumerProtocolSubscription v0: the topics, no user data.
std::string encode_subscription(const std::vector<std::string>& topics);
/// ConsumerProtocolAssignment v0: topic -> partitions, no user data.
std::string encode_assignment(const std::map<std::string, std::vector<std::int32_t>>& partitions);

}  // namespace sluice::group_coordinator
