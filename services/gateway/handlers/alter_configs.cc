// AlterConfigs: replaces a topic's whole set of overrides, or a broker
// resource's whole set of dynamic values (the cluster default "" or one
// broker id): keys not listed go back to their defaults, as in Kafka.
#include "common/protocol/messages/alter_configs.h"
#include "services/gateway/handlers/config_alterations.h"
#include "services/gateway/handlers/handler.h"
#include "services/gateway/handlers/topic_configs.h"

namespace sluice::gateway {
namespace {

using resource_t = protocol::alter_configs_request::alter_configs_resource;

/// Fills `request`'s changes with the resource's configs (a null value
/// deletes); returns the values it leaves.
template <class Request>
std::map<std::string, std::string> replace_all(const resource_t& resource, bool validate_only, Request& request) {
  request.set_replace_all(true);
  request.set_validate_only(validate_only);
  std::map<std::string, std::string> expected;
  for (const auto& c : resource.configs) {
    auto* change = request.add_changes();
    change->set_key(c.name);
    if (c.value) {
      change->set_value(*c.value);
      expected[c.name] = *c.value;
    } else {
      change->set_op(cluster::cv1::ConfigChange::DELETE);
    }
  }
  return expected;
}

}  // namespace

void handle_alter_configs(request_context ctx) {
  auto request = ctx.decode<protocol::alter_configs_request>();
  auto response = std::make_shared<protocol::alter_configs_response>();
  response->responses.resize(request.resources.size());
  auto alterations = std::make_shared<config_alterations<protocol::alter_configs_response>>(std::move(ctx), response);
  for (std::size_t i = 0; i < request.resources.size(); ++i) {
    const auto& resource = request.resources[i];
    auto& out = response->responses[i];
    out.resource_type = resource.resource_type;
    out.resource_name = resource.resource_name;
    if (resource.resource_type == broker_resource) {
      auto admin = broker_config_target(resource.resource_name);
      if (!admin) {
        out.error_code = code(protocol::error_code::invalid_request);
        out.error_message = "broker resource name must be a broker id or empty (the cluster default), not " +
                            resource.resource_name;
        continue;
      }
      auto expected = replace_all(resource, request.validate_only, *admin);
      alterations->send(i, std::move(*admin), std::move(expected));
      continue;
    }
    if (resource.resource_type != topic_resource) {
      out.error_code = code(protocol::error_code::invalid_request);
      out.error_message = "only topic and broker configs can be altered";
      continue;
    }
    cluster::cv1::AlterTopicConfigsRequest admin;
    admin.set_name(resource.resource_name);
    auto expected = replace_all(resource, request.validate_only, admin);
    alterations->send(i, std::move(admin), std::move(expected));
  }
  alterations->sent_all();
}

}  // namespace sluice::gateway
