#include "services/group-coordinator/classic/consumer_protocol.h"

#include <algorithm>

#include "common/protocol/data/consumer_protocol_assignment.h"
#include "common/protocol/data/consumer_protocol_subscription.h"
#include "common/protocol/versioned_data.h"

namespace sluice::group_coordinator {

namespace {

// We write v0 (no owned partitions, generation or rack, no user data): all a
// tool needs to show the member's topics and partitions.
constexpr std::int16_t written_version = 0;

}  // namespace

namespace {

/// Partitions by topic, sorted and without duplicates, as the groups hold them.
template <class TopicPartitions>
protocol_partitions by_topic(const TopicPartitions& list) {
  protocol_partitions out;
  for (const auto& tp : list) {
    auto& dst = out[tp.topic];
    dst.insert(dst.end(), tp.partitions.begin(), tp.partitions.end());
    std::sort(dst.begin(), dst.end());
    dst.erase(std::unique(dst.begin(), dst.end()), dst.end());
  }
  return out;
}

}  // namespace

std::optional<classic_subscription> decode_subscription(std::string_view metadata) {
  try {
    // As Kafka's consumers do, a newer version is read with the newest layout we know.
    auto m = protocol::decode_versioned<protocol::consumer_protocol_subscription>(
                 metadata, protocol::unknown_version::read_as_nearest)
                 .message;
    return classic_subscription{std::move(m.topics), by_topic(m.owned_partitions), std::move(m.rack_id)};
  } catch (const protocol::decode_error&) {
    return std::nullopt;
  }
}

std::optional<protocol_partitions> decode_assignment(std::string_view assignment) {
  if (assignment.empty()) return protocol_partitions{};
  try {
    return by_topic(protocol::decode_versioned<protocol::consumer_protocol_assignment>(
                        assignment, protocol::unknown_version::read_as_nearest)
                        .message.assigned_partitions);
  } catch (const protocol::decode_error&) {
    return std::nullopt;
  }
}

std::vector<std::string> subscription_topics(std::string_view metadata) {
  auto s = decode_subscription(metadata);
  return s ? std::move(s->topics) : std::vector<std::string>{};  // not a subscription: no topics we could name
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
