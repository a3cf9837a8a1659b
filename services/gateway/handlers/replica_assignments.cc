#include "services/gateway/handlers/replica_assignments.h"

namespace sluice::gateway {

using protocol::error_code;

std::optional<refusal> fill_topic_spec(const protocol::create_topics_request::creatable_topic& topic,
                                       coordinator::v1::TopicSpec& spec) {
  if (!topic.assignments.empty()) {
    // Kafka's controller refuses both forms at once with these messages.
    if (topic.replication_factor != -1) {
      return refusal{error_code::invalid_request,
                     "A manual partition assignment was specified, but replication factor was not set to -1."};
    }
    if (topic.num_partitions != -1) {
      return refusal{error_code::invalid_request,
                     "A manual partition assignment was specified, but numPartitions was not set to -1."};
    }
  }
  spec.set_partitions(topic.num_partitions);
  spec.set_replication_factor(topic.replication_factor);
  for (const auto& a : topic.assignments) {
    auto* out = spec.add_assignments();
    out->set_partition(a.partition_index);
    for (auto id : a.broker_ids) out->add_replicas(id);
  }
  return std::nullopt;
}

std::optional<refusal> fill_partition_update(const protocol::create_partitions_request::create_partitions_topic& topic,
                                             std::optional<int> current_count,
                                             coordinator::v1::PartitionCountUpdate& update) {
  update.set_count(topic.count);
  if (!topic.assignments) return std::nullopt;  // null: the coordinator places them
  const auto& assignments = *topic.assignments;
  if (current_count && topic.count > *current_count) {
    auto added = topic.count - *current_count;
    if (static_cast<int>(assignments.size()) != added) {
      return refusal{error_code::invalid_replica_assignment,
                     "Attempted to add " + std::to_string(added) + " additional partition(s), but " +
                         std::to_string(assignments.size()) + " assignment(s) were specified."};
    }
  }
  int first_new = current_count.value_or(0);
  for (std::size_t i = 0; i < assignments.size(); ++i) {
    auto* out = update.add_assignments();
    out->set_partition(first_new + static_cast<int>(i));
    for (auto id : assignments[i].broker_ids) out->add_replicas(id);
  }
  return std::nullopt;
}

}  // namespace sluice::gateway
