// DescribeConfigs: topic configs (overrides from the metadata over the
// defaults) and, for brokers, the defaults they come from. Answered from
// this gateway's metadata, with no call to the coordinator.
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
    auto& self = out.synonyms.emplace_back();
    self.name = e.name;
    self.value = e.value;
    self.source = static_cast<std::int8_t>(e.source);
    if (e.default_value && !e.default_name.empty()) {
      auto& fallback = out.synonyms.emplace_back();
      fallback.name = std::string(e.default_name);
      fallback.value = e.default_value;
      fallback.source = static_cast<std::int8_t>(config_source::default_config);
    }
  }
  return out;
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
      entries = topic_config_entries(config::to_std_map(topic->configs()), resource.configuration_keys);
    } else if (resource.resource_type == broker_resource) {
      entries = broker_config_entries(resource.configuration_keys);
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
