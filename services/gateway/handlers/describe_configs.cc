// DescribeConfigs: topic configs (overrides from the metadata over the
// defaults of the broker the request was sent to) and broker configs (one
// broker id's effective values, or the cluster default's dynamic values).
// Answered from this gateway's metadata, with no call to the coordinator.
#include <charconv>

#include "common/config/topic_config.h"
#include "common/protocol/messages/describe_configs.h"
#include "services/gateway/error_mapping.h"
#include "services/gateway/handlers/handler.h"
#include "services/gateway/handlers/topic_configs.h"
#include "services/gateway/metadata_cache.h"

namespace sluice::gateway {
namespace {

using protocol::error_code;
using result_entry = protocol::describe_configs_response::describe_configs_resource_result;

result_entry to_wire(const config_entry& e, bool synonyms, bool documentation) {
  result_entry out;
  out.name = e.name;
  out.value = e.value;
  out.read_only = e.read_only;
  out.config_source = static_cast<std::int8_t>(e.source);
  out.is_sensitive = e.sensitive;
  out.config_type = e.type;
  if (documentation) out.documentation = std::string(e.documentation);
  if (synonyms) {
    for (const auto& s : e.synonyms) {
      auto& out_synonym = out.synonyms.emplace_back();
      out_synonym.name = s.name;
      out_synonym.value = s.value;
      out_synonym.source = static_cast<std::int8_t>(s.source);
    }
  }
  return out;
}

/// The broker id a BROKER resource names; nullopt when it is no integer.
std::optional<std::int32_t> broker_id(const std::string& name) {
  std::int32_t id = -1;
  auto [end, ec] = std::from_chars(name.data(), name.data() + name.size(), id);
  if (ec != std::errc{} || end != name.data() + name.size() || id < 0) return std::nullopt;
  return id;
}

/// A broker id this cluster knows: a live partition server, or one with
/// stored configs.
bool known_broker(const cluster::metadata_view& view, std::int32_t id) {
  const auto* svc = view.service(id);
  return (svc != nullptr && svc->kind() == cluster::mv1::PARTITION_SERVER) || view.broker_configs().brokers().contains(id);
}

}  // namespace

void handle_describe_configs(request_context ctx) {
  auto request = ctx.decode<protocol::describe_configs_request>();
  auto view = ctx.services->metadata.current();
  protocol::describe_configs_response response;
  for (const auto& resource : request.resources) {
    auto& out = response.results.emplace_back();
    out.resource_type = resource.resource_type;
    out.resource_name = resource.resource_name;
    std::vector<config_entry> entries;
    if (resource.resource_type == topic_resource) {
      const auto* topic = view->topic(resource.resource_name);
      if (topic == nullptr) {
        out.error_code = code(error_code::unknown_topic_or_partition);
        out.error_message = "unknown topic " + resource.resource_name;
        continue;
      }
      entries = topic_config_entries(config::to_std_map(topic->configs()), resource.configuration_keys,
                                     view->broker_layers(ctx.addressed_broker()));
    } else if (resource.resource_type == broker_resource && resource.resource_name.empty()) {
      entries = default_broker_config_entries(config::to_std_map(view->broker_configs().cluster_defaults()),
                                              resource.configuration_keys);
    } else if (resource.resource_type == broker_resource) {
      auto id = broker_id(resource.resource_name);
      if (!id || !known_broker(*view, *id)) {
        out.error_code = code(error_code::invalid_request);
        out.error_message = "Unexpected broker id " + resource.resource_name +
                            ": expected a partition server's node id or the empty string";
        continue;
      }
      entries = broker_config_entries(view->broker_layers(*id), resource.configuration_keys);
    } else {
      out.error_code = code(error_code::invalid_request);
      out.error_message = "only topic and broker configs can be described";
      continue;
    }
    for (const auto& e : entries) {
      out.configs.push_back(to_wire(e, request.include_synonyms, request.include_documentation));
    }
  }
  ctx.respond(response);
}

}  // namespace sluice::gateway
