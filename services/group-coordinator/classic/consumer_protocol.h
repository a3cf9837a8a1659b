#pragma once
// The classic consumer protocol's opaque bytes, where the group coordinator
// needs them: the subscribed topics out of a member's metadata
// (ConsumerProtocolSubscription), for OffsetDelete's GROUP_SUBSCRIBED_TO_TOPIC
// check; a classic member's whole subscription (topics, owned partitions,
// rack) and assignment, when it is a member of a KIP-848 group or its group
// changes protocol; and the same formats written for KIP-848 members, so
// DescribeGroups shows them to tools that only speak the classic API. The layouts are the
// generated data messages (common/protocol/schema/data_messages/
// consumer_protocol_*).
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::group_coordinator {

/// The topics in a ConsumerProtocolSubscription of any version (a newer one
/// read as v3, as Kafka's consumers do); empty when it does not parse.
std::vector<std::string> subscription_topics(std::string_view metadata);

/// Topic -> partitions, as the consumer protocol lists them.
using protocol_partitions = std::map<std::string, std::vector<std::int32_t>>;

/// A ConsumerProtocolSubscription: the topics, the partitions the member
/// still owns (v1+; none before) and its rack (v3+).
struct classic_subscription {
  std::vector<std::string> topics;
  protocol_partitions owned;
  std::optional<std::string> rack;
};
/// nullopt when the bytes are not a ConsumerProtocolSubscription.
std::optional<classic_subscription> decode_subscription(std::string_view metadata);
/// A ConsumerProtocolAssignment's partitions (any version); nullopt when
/// the bytes do not parse. Empty bytes: no partitions (a member that has
/// none yet).
std::optional<protocol_partitions> decode_assignment(std::string_view assignment);

/// ConsumerProtocolSubscription v0: the topics, no user data.
std::string encode_subscription(const std::vector<std::string>& topics);
/// ConsumerProtocolAssignment v0: topic -> partitions, no user data.
std::string encode_assignment(const std::map<std::string, std::vector<std::int32_t>>& partitions);

}  // namespace sluice::group_coordinator
