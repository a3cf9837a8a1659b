// AlterConfigs: replaces a topic's whole set of overrides (keys not listed
// go back to their defaults), as in Kafka. Broker configs are static here.
#include "common/protocol/messages/alter_configs.h"
#include "services/gateway/handlers/config_alterations.h"
#include "services/gateway/handlers/handler.h"
#include "services/gateway/handlers/topic_configs.h"

namespace sluice::gateway {

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
    if (resource.resource_type != topic_resource) {
      out.error_code = code(protocol::error_code::invalid_request);
      out.error_message = "only topic configs can be altered; broker configs are set by flags";
      continue;
    }
    cluster::cv1::AlterTopicConfigsRequest admin;
    admin.set_name(resource.resource_name);
    admin.set_replace_all(true);
    admin.set_validate_only(request.validate_only);
    std::map<std::string, std::string> expected;
    for (const auto& c : resource.configs) {
      auto* change = admin.add_changes();
      change->set_key(c.name);
      if (c.value) {
        change->set_value(*c.value);
        expected[c.name] = *c.value;
      } else {
        change->set_op(cluster::cv1::ConfigChange::DELETE);
      }
    }
    alterations->send(i, std::move(admin), std::move(expected));
  }
  alterations->sent_all();
}

}  // namespace sluice::gateway
