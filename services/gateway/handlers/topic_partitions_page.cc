#include "services/gateway/handlers/topic_partitions_page.h"

#include <algorithm>
#include <set>
#include <string>

#include "services/gateway/error_mapping.h"
#include "services/gateway/handlers/handler_util.h"
#include "services/gateway/handlers/partition_metadata.h"

namespace sluice::gateway {
namespace {

using protocol::error_code;
using response_type = protocol::describe_topic_partitions_response;
using response_topic = response_type::describe_topic_partitions_response_topic;

response_type refuse_all(const protocol::describe_topic_partitions_request& request) {
  response_type out;
  for (const auto& t : request.topics) {
    auto& topic = out.topics.emplace_back();
    topic.name = t.name;
    topic.error_code = code(error_code::invalid_request);
  }
  return out;
}

void fill_partition(response_type::describe_topic_partitions_response_partition& out,
                    const cluster::metadata_view& view, const cluster::mv1::PartitionInfo& p) {
  auto described = describe_partition(view, p);
  // Kafka leaves NONE here even without a live leader (leader -1 says it).
  out.partition_index = p.partition();
  out.leader_id = described.leader;
  out.leader_epoch = described.leader_epoch;
  out.replica_nodes = std::move(described.replicas);
  out.isr_nodes = std::move(described.isr);
  out.offline_replicas = std::move(described.offline);
  out.eligible_leader_replicas = std::vector<std::int32_t>{};
  out.last_known_elr = std::vector<std::int32_t>{};
}

}  // namespace

response_type topic_partitions_page(const cluster::metadata_view& view,
                                    const protocol::describe_topic_partitions_request& request) {
  const bool every_topic = request.topics.empty();
  const std::string cursor_topic = request.cursor ? request.cursor->topic_name : std::string();
  std::set<std::string> names;  // sorted, once each
  if (every_topic) {
    for (const auto* t : view.topics())
      if (t->name() >= cursor_topic) names.insert(t->name());
  } else {
    for (const auto& t : request.topics)
      if (t.name >= cursor_topic) names.insert(t.name);
    if (request.cursor && !names.contains(cursor_topic)) return refuse_all(request);
  }
  if (request.cursor && request.cursor->partition_index < 0) return refuse_all(request);

  response_type out;
  std::int32_t remaining = std::max(std::min(max_partitions_per_answer, request.response_partition_limit), 1);
  for (const auto& name : names) {
    if (remaining == 0) {  // the next page starts with this topic
      out.next_cursor = response_type::topic_partition_cursor{name, 0};
      break;
    }
    const auto* topic = view.topic(name);
    if (topic == nullptr) {
      if (every_topic) continue;
      auto& t = out.topics.emplace_back();
      t.name = name;
      t.is_internal = is_internal_topic(name);
      t.error_code = code(is_valid_topic_name(name) ? error_code::unknown_topic_or_partition
                                                    : error_code::invalid_topic_exception);
      continue;
    }
    const std::int32_t count = topic->partitions_size();
    const std::int32_t first = request.cursor && name == cursor_topic ? request.cursor->partition_index : 0;
    const std::int32_t end = static_cast<std::int32_t>(std::min<std::int64_t>(count, std::int64_t{first} + remaining));
    auto& t = out.topics.emplace_back();
    t.name = name;
    t.topic_id = to_uuid(topic->topic_id());
    t.is_internal = is_internal_topic(name);
    for (std::int32_t i = first; i < end; ++i) fill_partition(t.partitions.emplace_back(), view, topic->partitions(i));
    if (end < count) {
      out.next_cursor = response_type::topic_partition_cursor{name, end};
      break;
    }
    remaining -= std::max(0, end - first);
  }
  return out;
}

}  // namespace sluice::gateway
