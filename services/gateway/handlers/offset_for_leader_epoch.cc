// OffsetForLeaderEpoch (consumer form): the end offset of a leader epoch,
// asked of each partition's leader, so a consumer can detect that a leader
// change truncated the log below its position (KIP-320). Followers never come
// here: they ask their leader's partition server directly, so the request's
// replica id is not passed on (the partition server sees a consumer, -1).
#include "common/messaging/methods.h"
#include "common/protocol/messages/offset_for_leader_epoch.h"
#include "partition.pb.h"
#include "services/gateway/error_mapping.h"
#include "services/gateway/fan_out.h"
#include "services/gateway/handlers/handler.h"
#include "services/gateway/metadata_cache.h"

namespace sluice::gateway {
namespace {

namespace pv1 = partition::v1;
using protocol::error_code;
using partition_answer = protocol::offset_for_leader_epoch_response::epoch_end_offset;
using epoch_batch = server_batch<pv1::OffsetForLeaderEpochRequest, partition_answer>;

void apply(const pv1::OffsetForLeaderEpochResponse& reply, epoch_batch& batch) {
  for (int i = 0; i < reply.partitions_size() && i < static_cast<int>(batch.answers.size()); ++i) {
    const auto& r = reply.partitions(i);
    auto* out = batch.answers[i];
    out->error_code = code(to_kafka(r.error()));
    out->leader_epoch = r.leader_epoch();
    out->end_offset = r.end_offset();
  }
}

}  // namespace

void handle_offset_for_leader_epoch(request_context ctx) {
  auto request = ctx.decode<protocol::offset_for_leader_epoch_request>();
  auto response = std::make_shared<protocol::offset_for_leader_epoch_response>();
  auto view = ctx.services->metadata.current();

  std::map<std::int32_t, epoch_batch> by_server;
  response->topics.reserve(request.topics.size());
  for (const auto& topic : request.topics) {
    auto& topic_out = response->topics.emplace_back();
    topic_out.topic = topic.topic;
    topic_out.partitions.reserve(topic.partitions.size());
    for (const auto& part : topic.partitions) {
      auto& out = topic_out.partitions.emplace_back();
      out.partition = part.partition;
      auto* batch = leader_batch(*view, topic.topic, part.partition, by_server, &out);
      if (batch == nullptr) continue;
      auto* query = batch->header.add_partitions();
      query->set_topic(topic.topic);
      query->set_partition(part.partition);
      query->set_current_leader_epoch(part.current_leader_epoch);
      query->set_leader_epoch(part.leader_epoch);
    }
  }
  auto done = [ctx, response] { ctx.respond(*response); };
  if (by_server.empty()) return done();

  auto make_request = [](epoch_batch& batch) {
    batch.header.set_replica_id(-1);
    return messaging::message::make(messaging::method::offset_for_leader_epoch, batch.header);
  };
  fan_out<epoch_batch>(ctx.services->servers, *view, std::move(by_server), std::chrono::milliseconds(10000),
                       make_request, parse_reply<pv1::OffsetForLeaderEpochResponse, epoch_batch>(apply), done);
}

}  // namespace sluice::gateway
