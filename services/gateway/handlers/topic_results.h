#pragma once
// Copies the coordinator's per-topic results of an admin call into the
// Kafka answers (same order); CreateTopics, DeleteTopics and
// CreatePartitions share it.
#include <string>
#include <vector>

#include "common/base/result.h"
#include "coordinator.pb.h"
#include "services/gateway/error_mapping.h"

namespace sluice::gateway {

/// Returns the indexes of the topics that succeeded. When the call itself
/// failed, every answer gets REQUEST_TIMED_OUT (retriable) and none succeeded.
template <class Answer, class Response>
std::vector<int> copy_topic_results(const result<Response>& r, const std::vector<Answer*>& answers) {
  std::vector<int> succeeded;
  if (!r) {
    for (auto* out : answers) {
      out->error_code = code(protocol::error_code::request_timed_out);
      out->error_message = "coordinator unreachable: " + r.error().message();
    }
    return succeeded;
  }
  const auto& results = r.value().results();
  for (int i = 0; i < results.size() && i < static_cast<int>(answers.size()); ++i) {
    auto* out = answers[i];
    out->error_code = code(to_kafka(results[i].error()));
    if (!results[i].error_message().empty()) out->error_message = results[i].error_message();
    if (results[i].error() == coordinator::v1::COORDINATOR_OK) succeeded.push_back(i);
  }
  return succeeded;
}

}  // namespace sluice::gateway
