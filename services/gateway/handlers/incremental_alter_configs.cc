// IncrementalAlterConfigs: SET, DELETE, APPEND and SUBTRACT (the last two
// for list configs) on a topic's overrides; other keys stay as they are.
#include <sstream>

#include "common/config/topic_config.h"
#include "common/protocol/messages/incremental_alter_configs.h"
#include "services/gateway/handlers/config_alterations.h"
#include "services/gateway/handlers/handler.h"
#include "services/gateway/handlers/topic_configs.h"
#include "services/gateway/metadata_cache.h"

namespace sluice::gateway {
namespace {

enum class op : std::int8_t { set = 0, remove = 1, append = 2, subtract = 3 };

std::vector<std::string> split_list(const std::string& value) {
  std::vector<std::string> items;
  std::stringstream in(value);
  for (std::string item; std::getline(in, item, ',');) {
    if (!item.empty()) items.push_back(item);
  }
  return items;
}

std::string join_list(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ",") + item;
  return out;
}

// The new value of a list config after APPEND or SUBTRACT of `value`.
std::string apply_list_op(op o, const std::string& current, const std::string& value) {
  auto items = split_list(current);
  for (const auto& item : split_list(value)) {
    auto it = std::find(items.begin(), items.end(), item);
    if (o == op::append && it == items.end()) items.push_back(item);
    if (o == op::subtract && it != items.end()) items.erase(it);
  }
  return join_list(items);
}

}  // namespace

void handle_incremental_alter_configs(request_context ctx) {
  auto request = ctx.decode<protocol::incremental_alter_configs_request>();
  auto view = ctx.services->metadata.current();
  auto response = std::make_shared<protocol::incremental_alter_configs_response>();
  response->responses.resize(request.resources.size());
  auto alterations =
      std::make_shared<config_alterations<protocol::incremental_alter_configs_response>>(std::move(ctx), response);
  for (std::size_t i = 0; i < request.resources.size(); ++i) {
    const auto& resource = request.resources[i];
    auto& out = response->responses[i];
    out.resource_type = resource.resource_type;
    out.resource_name = resource.resource_name;
    const auto* topic = view->topic(resource.resource_name);
    if (resource.resource_type != topic_resource || topic == nullptr) {
      out.error_code = code(resource.resource_type != topic_resource ? protocol::error_code::invalid_request
                                                                      : protocol::error_code::unknown_topic_or_partition);
      out.error_message = resource.resource_type != topic_resource
                              ? "only topic configs can be altered; broker configs are set by flags"
                              : "unknown topic " + resource.resource_name;
      continue;
    }
    auto overrides = config::to_std_map(topic->configs());
    auto effective = config::effective(overrides);
    cluster::cv1::AlterTopicConfigsRequest admin;
    admin.set_name(resource.resource_name);
    admin.set_validate_only(request.validate_only);
    std::optional<std::string> refused;
    for (const auto& c : resource.configs) {
      auto o = static_cast<op>(c.config_operation);
      const auto* def = config::find(c.name);
      bool list_op = o == op::append || o == op::subtract;
      if (c.config_operation < 0 || c.config_operation > 3) {
        refused = "unknown config operation " + std::to_string(c.config_operation);
      } else if (list_op && (def == nullptr || def->type != config::config_type::list)) {
        refused = "APPEND and SUBTRACT apply only to list configs, not " + c.name;
      }
      if (refused) break;
      auto* change = admin.add_changes();
      change->set_key(c.name);
      if (o == op::remove) {
        change->set_op(cluster::cv1::ConfigChange::DELETE);
        overrides.erase(c.name);
        continue;
      }
      auto value = list_op ? apply_list_op(o, effective[c.name], c.value.value_or("")) : c.value.value_or("");
      change->set_value(value);
      overrides[c.name] = value;
      effective[c.name] = value;
    }
    if (refused) {
      out.error_code = code(protocol::error_code::invalid_config);
      out.error_message = *refused;
      continue;
    }
    alterations->send(i, std::move(admin), std::move(overrides));
  }
  alterations->sent_all();
}

}  // namespace sluice::gateway
