#include "services/group-coordinator/classic/consumer_protocol.h"

#include "common/protocol/data/consumer_protocol_assignment.h"
#include "common/protocol/data/consumer_protocol_subscription.h"
#include "common/protocol/versioned_data.h"

namespace sluice::group_coordinator {

namespace {

// We write v0 (no owned partitions, generation or rack, no user data): all a
// tool needs to show the member's topics and partitions.
constexpr std::int16_t written_version = 0;

}  // namespace

std::vector<std::string> subscription_topics(std::string_view metadata) {
  try {
    // As Kafka's consumers do, a newer version is read with the newest layout we know.
    return protocol::decode_versioned<protocol::consumer_protocol_subscription>(
               metadata, protocol::unknown_version::read_as_nearest)
        .message.topics;
  } catch (const protocol::decode_error&) {
    return {};  // not a consumer protocol subscription: no topics we could name
  }
}

std::string encode_subscription(const std::vector<std::string>& topics) {
  return protocol::encode_versioned(protocol::consumer_protocol_subscription{.topics = topics}, written_version);
}

std::string encode_assignment(const std::map<std::string, std::vector<std::int32_t>>& partitions) {
  protocol::consumer_protocol_assignment m;
  for (const auto& [topic, ps] : partitions) m.assigned_partitions.push_back({.topic = topic, .partitions = ps});
  return protocol::encode_versioned(m, written_version);
}

}  // namespace sluice::group_coordinator
