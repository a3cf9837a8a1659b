// ListOffsets: earliest (-2), latest (-1), max timestamp (-3) or the first
// offset at or after a timestamp, asked of each partition's server. v0 (sent
// by librdkafka 1.7) answers with the old_style_offsets array instead.
// isolation_level (v2+) goes to the partition servers: under read_committed
// "latest" is the last stable offset, as in Kafka.
#include "common/messaging/methods.h"
#include "common/protocol/messages/list_offsets.h"
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
using partition_answer = protocol::list_offsets_response::list_offsets_partition_response;
using offsets_batch = server_batch<pv1::ListOffsetsRequest, partition_answer>;

void apply(const pv1::ListOffsetsResponse& reply, offsets_batch& batch) {
  for (int i = 0; i < reply.partitions_size() && i < static_cast<int>(batch.answers.size()); ++i) {
    const auto& r = reply.partitions(i);
    auto* out = batch.answers[i];
    out->error_code = code(to_kafka(r.error()));
    out->timestamp = r.timestamp();
    out->offset = r.offset();
    out->leader_epoch = r.leader_epoch();
    if (r.offset() >= 0) out->old_style_offsets = {r.offset()};
  }
}

}  // namespace

void handle_list_offsets(request_context ctx) {
  auto request = ctx.decode<protocol::list_offsets_request>();
  auto response = std::make_shared<protocol::list_offsets_response>();
  auto view = ctx.services->metadata.current();

  std::map<std::int32_t, offsets_batch> by_server;
  response->topics.reserve(request.topics.size());
  for (const auto& topic : request.topics) {
    auto& topic_out = response->topics.emplace_back();
    topic_out.name = topic.name;
    topic_out.partitions.reserve(topic.partitions.size());
    for (const auto& part : topic.partitions) {
      auto& out = topic_out.partitions.emplace_back();
      out.partition_index = part.partition_index;
      if (!is_known_isolation_level(request.isolation_level)) {
        out.error_code = code(error_code::invalid_request);
        continue;
      }
      auto* batch = leader_batch(*view, topic.name, part.partition_index, by_server, &out);
      if (batch == nullptr) continue;
      auto* query = batch->header.add_partitions();
      query->set_topic(topic.name);
      query->set_partition(part.partition_index);
      query->set_timestamp(part.timestamp);
      query->set_current_leader_epoch(part.current_leader_epoch);
    }
  }
  auto done = [ctx, response] { ctx.respond(*response); };
  if (by_server.empty()) return done();

  auto make_request = [&request](offsets_batch& batch) {
    batch.header.set_isolation_level(request.isolation_level);
    return messaging::message::make(messaging::method::list_offsets, batch.header);
  };
  fan_out<offsets_batch>(ctx.services->servers, *view, std::move(by_server), std::chrono::milliseconds(10000),
                         make_request, parse_reply<pv1::ListOffsetsResponse, offsets_batch>(apply), done);
}

}  // namespace sluice::gateway
