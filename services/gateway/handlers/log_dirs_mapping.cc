#include "services/gateway/handlers/log_dirs_mapping.h"

#include <map>
#include <set>
#include <string>
#include <utility>

#include "services/gateway/error_mapping.h"

namespace sluice::gateway {

namespace pv1 = partition::v1;
using protocol::error_code;

pv1::DescribeLogDirsRequest log_dirs_query(const protocol::describe_log_dirs_request& request) {
  pv1::DescribeLogDirsRequest out;
  if (!request.topics) {
    out.set_all_partitions(true);
    return out;
  }
  // Kafka takes the request as a set of partitions: each is answered once.
  std::set<std::pair<std::string, std::int32_t>> seen;
  for (const auto& topic : *request.topics) {
    for (auto partition : topic.partitions) {
      if (!seen.emplace(topic.topic, partition).second) continue;
      auto* ref = out.add_partitions();
      ref->set_topic(topic.topic);
      ref->set_partition(partition);
    }
  }
  return out;
}

protocol::describe_log_dirs_response log_dirs_answer(const pv1::DescribeLogDirsResponse& reply) {
  protocol::describe_log_dirs_response out;
  auto& dir = out.results.emplace_back();
  dir.log_dir = reply.log_dir();
  dir.error_code = code(to_kafka(reply.error()));
  if (reply.error() != pv1::PARTITION_OK) return out;  // Kafka: no topics, byte counts left at -1
  dir.total_bytes = reply.total_bytes();
  dir.usable_bytes = reply.usable_bytes();
  std::map<std::string, std::size_t> topic_index;
  for (const auto& replica : reply.partitions()) {
    if (replica.error() != pv1::PARTITION_OK) continue;
    auto [it, added] = topic_index.emplace(replica.topic(), dir.topics.size());
    if (added) dir.topics.emplace_back().name = replica.topic();
    dir.topics[it->second].partitions.push_back({.partition_index = replica.partition(),
                                                 .partition_size = replica.size_bytes(),
                                                 .offset_lag = replica.offset_lag(),
                                                 .is_future_key = false});  // no AlterReplicaLogDirs: never a future log
  }
  return out;
}

protocol::describe_log_dirs_response log_dirs_failure(error_code error) {
  protocol::describe_log_dirs_response out;
  out.error_code = code(error);
  return out;
}

error_code log_dirs_call_error(messaging::rpc_status status) noexcept {
  // The transport mapping answers a server that is gone with
  // NOT_LEADER_OR_FOLLOWER, for its partitions (they move elsewhere); here
  // the broker itself is the thing asked for, and it is gone.
  const error_code e = to_kafka(status);
  return e == error_code::not_leader_or_follower ? error_code::broker_not_available : e;
}

}  // namespace sluice::gateway
