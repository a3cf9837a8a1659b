#pragma once
// Reads the one thing the group coordinator needs from the classic consumer
// protocol's opaque member metadata (ConsumerProtocolSubscription): the
// subscribed topics, for OffsetDelete's GROUP_SUBSCRIBED_TO_TOPIC check.
#include <string>
#include <string_view>
#include <vector>

namespace sluice::group_coordinator {

/// The topics in a ConsumerProtocolSubscription (any version: the topic
/// array follows the version in all of them); empty when it does not parse.
std::vector<std::string> subscription_topics(std::string_view metadata);

}  // namespace sluice::group_coordinator
