// Metadata: the partition servers are the brokers, each at the address of a
// gateway (broker_map.h); partitions as the coordinator holds them
// (partition_metadata.h).
#include "common/cluster/coordinator_client.h"
#include "common/cluster/group_shards.h"
#include "common/protocol/messages/metadata.h"
#include "services/gateway/error_mapping.h"
#include "services/gateway/gateway_options.h"
#include "services/gateway/handlers/handler.h"
#include "services/gateway/handlers/handler_util.h"
#include "services/gateway/handlers/partition_metadata.h"
#include "services/gateway/broker_map.h"
#include "services/gateway/metadata_cache.h"

namespace sluice::gateway {
namespace {

using protocol::error_code;
using response_topic = protocol::metadata_response::metadata_response_topic;

response_topic describe_topic(const cluster::metadata_view& view, const cluster::mv1::TopicInfo& topic,
                              dead_replicas dead) {
  response_topic out;
  out.name = topic.name();
  out.topic_id = to_uuid(topic.topic_id());
  out.is_internal = is_internal_topic(topic.name());
  for (const auto& p : topic.partitions()) {
    auto described = describe_partition(view, p, dead);
    auto& part = out.partitions.emplace_back();
    part.partition_index = p.partition();
    part.error_code = code(described.error);
    part.leader_id = described.leader;
    part.leader_epoch = described.leader_epoch;
    part.replica_nodes = std::move(described.replicas);
    part.isr_nodes = std::move(described.isr);
    part.offline_replicas = std::move(described.offline);
  }
  return out;
}

// Kafka's auto.create.topics.enable: the topic is created in the background
// and this answer says LEADER_NOT_AVAILABLE, so the client asks again.
void auto_create(const request_context& ctx, const std::string& name) {
  cluster::cv1::CreateTopicsRequest request;
  auto* spec = request.add_topics();
  spec->set_name(name);
  spec->set_partitions(-1);
  spec->set_replication_factor(-1);
  auto log = ctx.log;
  ctx.services->coordinator.create_topics(request, [log, name](result<cluster::cv1::CreateTopicsResponse> r) {
    if (!r) return log->warn("auto-creating topic {} failed: {}", name, r.error().message());
    for (const auto& t : r.value().results()) {
      if (t.error() == cluster::cv1::COORDINATOR_OK) log->info("auto-created topic {}", name);
    }
  });
}

}  // namespace

void handle_metadata(request_context ctx) {
  auto request = ctx.decode<protocol::metadata_request>();
  auto view = ctx.services->metadata.current();
  protocol::metadata_response response;
  for (const auto& broker : advertised_brokers(*view, ctx.services->options.broker_port_step)) {
    auto& b = response.brokers.emplace_back();
    b.node_id = broker.node_id;
    b.host = broker.host;
    b.port = broker.port;
  }
  response.cluster_id = view->cluster_id();
  response.controller_id = controller_broker(*view);
  // Kafka's v0 answer lists live replicas only (errorUnavailableEndpoints).
  const auto dead = ctx.version() == 0 ? dead_replicas::left_out : dead_replicas::listed;

  // v0: an empty list means every topic; v1+: null means every topic.
  bool all = !request.topics || (ctx.version() == 0 && request.topics->empty());
  if (all) {
    for (const auto* topic : view->topics()) response.topics.push_back(describe_topic(*view, *topic, dead));
    return ctx.respond(response);
  }
  bool may_create = ctx.services->options.auto_create_topics &&
                    (ctx.version() < 4 || request.allow_auto_topic_creation);
  for (const auto& wanted : *request.topics) {
    const cluster::mv1::TopicInfo* topic =
        wanted.name ? view->topic(*wanted.name) : view->topic_by_id(raw_bytes(wanted.topic_id));
    if (topic != nullptr) {
      response.topics.push_back(describe_topic(*view, *topic, dead));
      continue;
    }
    auto& out = response.topics.emplace_back();
    out.name = wanted.name;
    out.topic_id = wanted.topic_id;
    if (!wanted.name) {
      out.error_code = code(error_code::unknown_topic_id);
    } else if (!is_valid_topic_name(*wanted.name)) {
      out.error_code = code(error_code::invalid_topic_exception);
    } else if (may_create) {
      auto_create(ctx, *wanted.name);
      out.error_code = code(error_code::leader_not_available);
    } else {
      out.error_code = code(error_code::unknown_topic_or_partition);
    }
  }
  ctx.respond(response);
}

}  // namespace sluice::gateway
