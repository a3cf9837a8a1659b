// CreateTopics: validated and stored by the coordinator; answered once the
// new topics are in this gateway's metadata, so the client's next request
// finds them.
#include <set>

#include "common/cluster/coordinator_client.h"
#include "common/config/topic_config.h"
#include "common/protocol/messages/create_topics.h"
#include "services/gateway/error_mapping.h"
#include "services/gateway/gateway_options.h"
#include "services/gateway/handlers/await_served.h"
#include "services/gateway/handlers/handler.h"
#include "services/gateway/handlers/handler_util.h"
#include "services/gateway/handlers/replica_assignments.h"
#include "services/gateway/handlers/topic_configs.h"
#include "services/gateway/handlers/topic_results.h"
#include "services/gateway/metadata_cache.h"

namespace sluice::gateway {
namespace {

namespace cv1 = cluster::cv1;
using protocol::error_code;
using topic_result = protocol::create_topics_response::creatable_topic_result;

void describe_created(const cluster::mv1::TopicInfo& topic, topic_result& out) {
  out.topic_id = to_uuid(topic.topic_id());
  out.num_partitions = topic.partitions_size();
  out.replication_factor =
      static_cast<std::int16_t>(topic.partitions_size() > 0 ? topic.partitions(0).replicas_size() : 1);
  std::vector<protocol::create_topics_response::creatable_topic_configs> configs;
  for (auto& e : topic_config_entries(config::to_std_map(topic.configs()), std::nullopt)) {
    auto& c = configs.emplace_back();
    c.name = e.name;
    c.value = e.value;
    c.read_only = e.read_only;
    c.config_source = static_cast<std::int8_t>(e.source);
    c.is_sensitive = e.sensitive;
  }
  out.configs = std::move(configs);
}

// Kafka refuses these before asking the controller.
std::optional<std::pair<error_code, std::string>> precheck(const auto& topic, std::set<std::string>& seen) {
  if (!seen.insert(topic.name).second) {
    return std::pair{error_code::invalid_request, "topic " + topic.name + " is named twice in the request"};
  }
  return std::nullopt;
}

}  // namespace

void handle_create_topics(request_context ctx) {
  auto request = ctx.decode<protocol::create_topics_request>();
  auto response = std::make_shared<protocol::create_topics_response>();
  auto sent = std::make_shared<std::vector<topic_result*>>();  // in the coordinator request's order
  cv1::CreateTopicsRequest admin;
  admin.set_validate_only(request.validate_only);
  std::set<std::string> seen;
  response->topics.reserve(request.topics.size());
  for (const auto& topic : request.topics) {
    auto& out = response->topics.emplace_back();
    out.name = topic.name;
    if (auto refused = precheck(topic, seen)) {
      out.error_code = code(refused->first);
      out.error_message = refused->second;
      continue;
    }
    cv1::TopicSpec spec;
    spec.set_name(topic.name);
    if (auto refused = fill_topic_spec(topic, spec)) {
      out.error_code = code(refused->error);
      out.error_message = refused->message;
      continue;
    }
    for (const auto& c : topic.configs) {
      if (c.value) (*spec.mutable_configs())[c.name] = *c.value;
    }
    *admin.add_topics() = std::move(spec);
    sent->push_back(&out);
  }
  if (sent->empty()) return ctx.respond(*response);

  auto* services = ctx.services;
  bool validate_only = request.validate_only;
  services->coordinator.create_topics(admin, [ctx, response, sent, services,
                                              validate_only](result<cv1::CreateTopicsResponse> r) {
    auto succeeded = copy_topic_results(r, *sent);
    if (!r) return ctx.respond(*response);
    std::vector<std::string> created;
    for (int i : succeeded) {
      const auto& done = r.value().results(i);
      describe_created(done.topic(), *(*sent)[i]);
      if (!validate_only) created.push_back(done.name());
    }
    auto visible = [created](const cluster::metadata_view& view) {
      for (const auto& name : created) {
        const auto* t = view.topic(name);
        if (t == nullptr) return false;
        for (const auto& p : t->partitions()) {
          if (p.leader() < 0) return false;
        }
      }
      return true;
    };
    auto timeout = services->options.admin_propagation_timeout;
    services->metadata.wait_until(visible, timeout, [ctx, response, services, created, timeout](bool) {
      await_served(*services, created, timeout, [ctx, response] { ctx.respond(*response); });
    });
  });
}

}  // namespace sluice::gateway
