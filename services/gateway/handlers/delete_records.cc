// DeleteRecords: each partition's leader moves its log start offset
// (partition-server RPC delete_records, one per partition server, like
// ListOffsets) and answers with the low watermark once its ISR followed, or
// REQUEST_TIMED_OUT at the request's timeout. As in Kafka: an unknown topic
// or partition answers UNKNOWN_TOPIC_OR_PARTITION, an internal topic
// INVALID_TOPIC_EXCEPTION, a topic whose cleanup.policy has no delete
// POLICY_VIOLATION, an offset past the high watermark OFFSET_OUT_OF_RANGE;
// the low watermark is -1 on every error.
#include <algorithm>

#include "common/cluster/group_shards.h"
#include "common/messaging/methods.h"
#include "common/protocol/messages/delete_records.h"
#include "partition.pb.h"
#include "services/gateway/error_mapping.h"
#include "services/gateway/fan_out.h"
#include "services/gateway/handlers/handler.h"
#include "services/gateway/metadata_cache.h"

namespace sluice::gateway {
namespace {

namespace pv1 = partition::v1;
using protocol::error_code;
using partition_answer = protocol::delete_records_response::delete_records_partition_result;
using deletions_batch = server_batch<pv1::DeleteRecordsRequest, partition_answer>;

// Beyond the request's own timeout (the partition servers answer
// REQUEST_TIMED_OUT at it), how long the RPC may take to come back.
constexpr std::chrono::milliseconds rpc_margin{5000};

void apply(const pv1::DeleteRecordsResponse& reply, deletions_batch& batch) {
  for (int i = 0; i < reply.partitions_size() && i < static_cast<int>(batch.answers.size()); ++i) {
    const auto& r = reply.partitions(i);
    auto* out = batch.answers[i];
    out->error_code = code(r.policy_violation() ? error_code::policy_violation : to_kafka(r.error()));
    out->low_watermark = r.error() == pv1::PARTITION_OK ? r.low_watermark() : -1;
  }
}

bool is_internal_topic(const std::string& name) {
  return name == cluster::offsets_topic || name == cluster::transaction_state_topic;
}

}  // namespace

void handle_delete_records(request_context ctx) {
  auto request = ctx.decode<protocol::delete_records_request>();
  auto response = std::make_shared<protocol::delete_records_response>();
  auto view = ctx.services->metadata.current();

  std::map<std::int32_t, deletions_batch> by_server;
  response->topics.reserve(request.topics.size());
  for (const auto& topic : request.topics) {
    auto& topic_out = response->topics.emplace_back();
    topic_out.name = topic.name;
    topic_out.partitions.reserve(topic.partitions.size());
    for (const auto& part : topic.partitions) {
      auto& out = topic_out.partitions.emplace_back();
      out.partition_index = part.partition_index;
      out.low_watermark = -1;
      if (is_internal_topic(topic.name) && view->partition(topic.name, part.partition_index) != nullptr) {
        out.error_code = code(error_code::invalid_topic_exception);
        continue;
      }
      auto* batch = leader_batch(*view, topic.name, part.partition_index, by_server, &out);
      if (batch == nullptr) continue;
      auto* deletion = batch->header.add_partitions();
      deletion->set_topic(topic.name);
      deletion->set_partition(part.partition_index);
      deletion->set_offset(part.offset);
    }
  }
  auto done = [ctx, response] { ctx.respond(*response); };
  if (by_server.empty()) return done();

  const std::int32_t timeout_ms = std::max(request.timeout_ms, 0);
  for (auto& [node, batch] : by_server) batch.header.set_timeout_ms(timeout_ms);
  auto make_request = [](deletions_batch& batch) {
    return messaging::message::make(messaging::method::delete_records, batch.header);
  };
  fan_out<deletions_batch>(ctx.services->servers, *view, std::move(by_server),
                           std::chrono::milliseconds(timeout_ms) + rpc_margin, make_request,
                           parse_reply<pv1::DeleteRecordsResponse, deletions_batch>(apply), done);
}

}  // namespace sluice::gateway
