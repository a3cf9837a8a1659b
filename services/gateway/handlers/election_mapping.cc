#include "services/gateway/handlers/election_mapping.h"

#include <map>
#include <utility>

#include "services/gateway/error_mapping.h"

namespace sluice::gateway {
namespace {

namespace cv1 = coordinator::v1;
using protocol::error_code;
using protocol::elect_leaders_response;

// Kafka's ElectionType values.
constexpr std::int8_t preferred_election = 0;
constexpr std::int8_t unclean_election = 1;

elect_leaders_response::partition_result result_of(std::int32_t partition, error_code error,
                                                   std::optional<std::string> message) {
  elect_leaders_response::partition_result out;
  out.partition_id = partition;
  out.error_code = code(error);
  if (error != error_code::none && message && !message->empty()) out.error_message = std::move(message);
  return out;
}

}  // namespace

error_code election_refusal(const protocol::elect_leaders_request& request) {
  if (request.election_type != preferred_election && request.election_type != unclean_election) {
    return error_code::invalid_request;
  }
  return error_code::none;
}

std::optional<cv1::ElectLeadersRequest> election_request(const protocol::elect_leaders_request& request) {
  if (election_refusal(request) != error_code::none) return std::nullopt;
  cv1::ElectLeadersRequest out;
  out.set_type(request.election_type == unclean_election ? cv1::UNCLEAN : cv1::PREFERRED);
  if (!request.topic_partitions) return out;  // null: every partition
  for (const auto& topic : *request.topic_partitions) {
    if (topic.partitions.empty()) continue;
    auto* named = out.add_partitions();
    named->set_topic(topic.topic);
    for (auto p : topic.partitions) named->add_partitions(p);
  }
  if (out.partitions().empty()) return std::nullopt;  // nothing named: nothing to elect
  return out;
}

elect_leaders_response election_answer(const protocol::elect_leaders_request& request, error_code whole,
                                       const std::string& message) {
  elect_leaders_response out;
  out.error_code = code(whole);
  if (!request.topic_partitions) return out;
  for (const auto& topic : *request.topic_partitions) {
    auto& topic_out = out.replica_election_results.emplace_back();
    topic_out.topic = topic.topic;
    for (auto p : topic.partitions) topic_out.partition_result.push_back(result_of(p, whole, message));
  }
  return out;
}

elect_leaders_response election_answer(const protocol::elect_leaders_request& request,
                                       const result<cv1::ElectLeadersResponse>& reply) {
  if (auto refused = election_refusal(request); refused != error_code::none) {
    return election_answer(request, refused, "unknown election type " + std::to_string(request.election_type));
  }
  if (!reply) {
    return election_answer(request, error_code::request_timed_out, "coordinator unreachable: " + reply.error().message());
  }
  elect_leaders_response out;
  if (!request.topic_partitions) {
    // Every partition: Kafka reports only those where something happened
    // or failed, grouped by topic in the coordinator's order.
    std::map<std::string, std::size_t> slot;
    for (const auto& r : reply.value().results()) {
      if (r.error() == cv1::ELECTION_NOT_NEEDED) continue;
      auto [it, fresh] = slot.try_emplace(r.topic(), out.replica_election_results.size());
      if (fresh) out.replica_election_results.emplace_back().topic = r.topic();
      out.replica_election_results[it->second].partition_result.push_back(
          result_of(r.partition(), to_kafka(r.error()), r.error_message()));
    }
    return out;
  }
  // Named partitions: answered in the request's order, each with its result.
  std::map<std::pair<std::string, std::int32_t>, const cv1::PartitionResult*> by_partition;
  for (const auto& r : reply.value().results()) by_partition[{r.topic(), r.partition()}] = &r;
  for (const auto& topic : *request.topic_partitions) {
    auto& topic_out = out.replica_election_results.emplace_back();
    topic_out.topic = topic.topic;
    for (auto p : topic.partitions) {
      auto it = by_partition.find({topic.topic, p});
      if (it == by_partition.end()) {
        topic_out.partition_result.push_back(
            result_of(p, error_code::unknown_server_error, std::string("the coordinator did not answer for it")));
      } else {
        topic_out.partition_result.push_back(
            result_of(p, to_kafka(it->second->error()), it->second->error_message()));
      }
    }
  }
  return out;
}

}  // namespace sluice::gateway
