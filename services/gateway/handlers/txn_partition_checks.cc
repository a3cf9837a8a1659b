#include "services/gateway/handlers/txn_partition_checks.h"

#include "services/gateway/error_mapping.h"

namespace sluice::gateway {

using protocol::error_code;

std::optional<txn_topic_results> refuse_unknown_partitions(const cluster::metadata_view& view,
                                                           const txn_topics& topics) {
  bool any_unknown = false;
  txn_topic_results results;
  for (const auto& topic : topics) {
    auto& out = results.emplace_back();
    out.name = topic.name;
    for (auto partition : topic.partitions) {
      const bool known = view.partition(topic.name, partition) != nullptr;
      any_unknown = any_unknown || !known;
      out.results_by_partition.push_back(
          {.partition_index = partition,
           .partition_error_code = code(known ? error_code::operation_not_attempted
                                              : error_code::unknown_topic_or_partition)});
    }
  }
  if (!any_unknown) return std::nullopt;
  return results;
}

txn_topic_results results_for_all(const txn_topics& topics, std::int16_t error) {
  txn_topic_results results;
  for (const auto& topic : topics) {
    auto& out = results.emplace_back();
    out.name = topic.name;
    for (auto partition : topic.partitions)
      out.results_by_partition.push_back({.partition_index = partition, .partition_error_code = error});
  }
  return results;
}

protocol::txn_offset_commit_response take_unknown_partitions(const cluster::metadata_view& view,
                                                             protocol::txn_offset_commit_request& request) {
  protocol::txn_offset_commit_response answered;
  for (auto& topic : request.topics) {
    std::erase_if(topic.partitions, [&](const auto& p) {
      if (view.partition(topic.name, p.partition_index) != nullptr) return false;
      auto* out = answered.topics.empty() || answered.topics.back().name != topic.name
                      ? &answered.topics.emplace_back()
                      : &answered.topics.back();
      out->name = topic.name;
      out->partitions.push_back(
          {.partition_index = p.partition_index, .error_code = code(error_code::unknown_topic_or_partition)});
      return true;
    });
  }
  std::erase_if(request.topics, [](const auto& topic) { return topic.partitions.empty(); });
  return answered;
}

}  // namespace sluice::gateway
