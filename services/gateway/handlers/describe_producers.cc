// DescribeProducers: the active producers of each partition, asked of its
// leader (partition-server RPC describe_producers), one RPC per partition
// server, like ListOffsets. As in Kafka, an invalid topic name answers
// INVALID_TOPIC_EXCEPTION, an unknown topic or partition
// UNKNOWN_TOPIC_OR_PARTITION, a partition without a leader (or one that
// moved) NOT_LEADER_OR_FOLLOWER.
#include "common/messaging/methods.h"
#include "common/protocol/messages/describe_producers.h"
#include "partition.pb.h"
#include "services/gateway/error_mapping.h"
#include "services/gateway/fan_out.h"
#include "services/gateway/handlers/handler.h"
#include "services/gateway/handlers/handler_util.h"
#include "services/gateway/metadata_cache.h"

namespace sluice::gateway {
namespace {

namespace pv1 = partition::v1;
using protocol::error_code;
using partition_answer = protocol::describe_producers_response::partition_response;
using producers_batch = server_batch<pv1::DescribeProducersRequest, partition_answer>;

void apply(const pv1::DescribeProducersResponse& reply, producers_batch& batch) {
  for (int i = 0; i < reply.partitions_size() && i < static_cast<int>(batch.answers.size()); ++i) {
    const auto& r = reply.partitions(i);
    auto* out = batch.answers[i];
    out->error_code = code(to_kafka(r.error()));
    for (const auto& p : r.producers()) {
      out->active_producers.push_back({.producer_id = p.producer_id(),
                                       .producer_epoch = p.producer_epoch(),
                                       .last_sequence = p.last_sequence(),
                                       .last_timestamp = p.last_timestamp(),
                                       .coordinator_epoch = p.coordinator_epoch(),
                                       .current_txn_start_offset = p.current_txn_start_offset()});
    }
  }
}

}  // namespace

void handle_describe_producers(request_context ctx) {
  auto request = ctx.decode<protocol::describe_producers_request>();
  auto response = std::make_shared<protocol::describe_producers_response>();
  auto view = ctx.services->metadata.current();

  std::map<std::int32_t, producers_batch> by_server;
  response->topics.reserve(request.topics.size());
  for (const auto& topic : request.topics) {
    auto& topic_out = response->topics.emplace_back();
    topic_out.name = topic.name;
    topic_out.partitions.reserve(topic.partition_indexes.size());
    const bool valid = is_valid_topic_name(topic.name);
    for (auto partition : topic.partition_indexes) {
      auto& out = topic_out.partitions.emplace_back();
      out.partition_index = partition;
      if (!valid) {
        out.error_code = code(error_code::invalid_topic_exception);
        out.error_message = "Topic name \"" + topic.name + "\" is illegal";
        continue;
      }
      auto* batch = leader_batch(*view, topic.name, partition, by_server, &out);
      if (batch == nullptr) continue;
      auto* ref = batch->header.add_partitions();
      ref->set_topic(topic.name);
      ref->set_partition(partition);
    }
  }
  auto done = [ctx, response] { ctx.respond(*response); };
  if (by_server.empty()) return done();

  auto make_request = [](producers_batch& batch) {
    return messaging::message::make(messaging::method::describe_producers, batch.header);
  };
  fan_out<producers_batch>(ctx.services->servers, *view, std::move(by_server), std::chrono::milliseconds(10000),
                           make_request, parse_reply<pv1::DescribeProducersResponse, producers_batch>(apply), done);
}

}  // namespace sluice::gateway
