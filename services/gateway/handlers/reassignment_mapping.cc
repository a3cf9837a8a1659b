#include "services/gateway/handlers/reassignment_mapping.h"

#include <algorithm>
#include <map>
#include <set>
#include <utility>

#include "services/gateway/error_mapping.h"

namespace sluice::gateway {
namespace {

namespace cv1 = coordinator::v1;
using protocol::error_code;
using alter_response = protocol::alter_partition_reassignments_response;
using list_response = protocol::list_partition_reassignments_response;
using partition_key = std::pair<std::string, std::int32_t>;

std::optional<std::string> message_or_null(const std::string& m) {
  if (m.empty()) return std::nullopt;
  return m;
}

}  // namespace

std::optional<refusal> reassignment_refusal(
    const protocol::alter_partition_reassignments_request::reassignable_partition& partition) {
  if (!partition.replicas) return std::nullopt;  // a cancel
  const auto& replicas = *partition.replicas;
  if (replicas.empty()) return refusal{error_code::invalid_replica_assignment, "the replica list is empty"};
  std::set<std::int32_t> seen;
  for (auto id : replicas) {
    if (id < 0) return refusal{error_code::invalid_replica_assignment, "replica id " + std::to_string(id) + " is negative"};
    if (!seen.insert(id).second) {
      return refusal{error_code::invalid_replica_assignment, "replica " + std::to_string(id) + " is listed twice"};
    }
  }
  return std::nullopt;
}

cv1::AlterPartitionReassignmentsRequest reassignment_request(
    const protocol::alter_partition_reassignments_request& request) {
  cv1::AlterPartitionReassignmentsRequest out;
  for (const auto& topic : request.topics) {
    for (const auto& p : topic.partitions) {
      if (reassignment_refusal(p)) continue;
      auto* move = out.add_reassignments();
      move->set_topic(topic.name);
      move->set_partition(p.partition_index);
      if (p.replicas) {
        for (auto id : *p.replicas) move->add_replicas(id);
      }
    }
  }
  return out;
}

alter_response reassignment_answer(const protocol::alter_partition_reassignments_request& request,
                                   const result<cv1::AlterPartitionReassignmentsResponse>& reply) {
  alter_response out;
  std::optional<std::string> call_failure;
  std::map<partition_key, const cv1::PartitionResult*> by_partition;
  if (!reply) {
    call_failure = "coordinator unreachable: " + reply.error().message();
    out.error_code = code(error_code::request_timed_out);
    out.error_message = call_failure;
  } else {
    for (const auto& r : reply.value().results()) by_partition[{r.topic(), r.partition()}] = &r;
  }
  for (const auto& topic : request.topics) {
    auto& topic_out = out.responses.emplace_back();
    topic_out.name = topic.name;
    for (const auto& p : topic.partitions) {
      auto& part = topic_out.partitions.emplace_back();
      part.partition_index = p.partition_index;
      if (auto refused = reassignment_refusal(p)) {
        part.error_code = code(refused->error);
        part.error_message = refused->message;
      } else if (call_failure) {
        part.error_code = code(error_code::request_timed_out);
        part.error_message = call_failure;
      } else if (auto it = by_partition.find({topic.name, p.partition_index}); it != by_partition.end()) {
        part.error_code = code(to_kafka(it->second->error()));
        part.error_message = message_or_null(it->second->error_message());
      } else {
        part.error_code = code(error_code::unknown_server_error);
        part.error_message = "the coordinator did not answer for it";
      }
    }
  }
  return out;
}

std::optional<cv1::ListPartitionReassignmentsRequest> listing_request(
    const protocol::list_partition_reassignments_request& request) {
  cv1::ListPartitionReassignmentsRequest out;
  if (!request.topics) return out;  // null: every partition
  for (const auto& topic : *request.topics) {
    if (topic.partition_indexes.empty()) continue;
    auto* named = out.add_partitions();
    named->set_topic(topic.name);
    for (auto p : topic.partition_indexes) named->add_partitions(p);
  }
  if (out.partitions().empty()) return std::nullopt;
  return out;
}

list_response listing_answer(const protocol::list_partition_reassignments_request& request,
                             const result<cv1::ListPartitionReassignmentsResponse>& reply) {
  list_response out;
  if (!reply) {
    out.error_code = code(error_code::request_timed_out);
    out.error_message = "coordinator unreachable: " + reply.error().message();
    return out;
  }
  std::set<partition_key> named;
  if (request.topics) {
    for (const auto& topic : *request.topics) {
      for (auto p : topic.partition_indexes) named.insert({topic.name, p});
    }
  }
  std::map<std::string, std::size_t> slot;
  for (const auto& r : reply.value().reassignments()) {
    if (request.topics && !named.contains({r.topic(), r.partition()})) continue;
    auto [it, fresh] = slot.try_emplace(r.topic(), out.topics.size());
    if (fresh) out.topics.emplace_back().name = r.topic();
    auto& part = out.topics[it->second].partitions.emplace_back();
    part.partition_index = r.partition();
    part.replicas.assign(r.replicas().begin(), r.replicas().end());
    part.adding_replicas.assign(r.adding_replicas().begin(), r.adding_replicas().end());
    part.removing_replicas.assign(r.removing_replicas().begin(), r.removing_replicas().end());
  }
  return out;
}

}  // namespace sluice::gateway
