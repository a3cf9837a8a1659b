#pragma once
// What the cluster says about consumer groups: state, protocol and members
// with their assignments (ListGroups + DescribeGroups).
#include <librdkafka/rdkafka.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "tools/sluice/cli_result.h"

namespace sluice::tools {

struct topic_assignment {
  std::string topic;
  std::vector<std::int32_t> partitions;  // sorted
};

struct group_member {
  std::string member_id;
  std::string client_id;
  std::string host;
  std::vector<topic_assignment> assignment;  // sorted by topic; empty while rebalancing
};

struct group_info {
  std::string group;
  std::string state;          // Kafka's names: Empty, Stable, PreparingRebalance, ...
  std::string protocol_type;  // "consumer" for consumers; "" for offsets-only groups
  std::string protocol;       // the assignor, once the group is stable
  std::vector<group_member> members;
};

/// Every group of the cluster, sorted by id.
cli_result<std::vector<group_info>> list_groups(rd_kafka_t* rk, int timeout_ms);

/// One group; nullopt when the cluster does not know it.
cli_result<std::optional<group_info>> describe_group(rd_kafka_t* rk, const std::string& group, int timeout_ms);

/// The partitions in a ConsumerProtocol Assignment (any version: they all
/// start with the version and the topic list), sorted.
cli_result<std::vector<topic_assignment>> decode_consumer_assignment(const void* data, std::size_t size);

/// Whether no member is active, so the group's offsets may be changed from
/// outside (Kafka's rule: Empty or Dead).
bool group_inactive(const std::string& state);

}  // namespace sluice::tools
