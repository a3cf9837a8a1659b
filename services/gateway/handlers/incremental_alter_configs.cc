// IncrementalAlterConfigs: SET, DELETE, APPEND and SUBTRACT (the last two
// for list configs) on a topic's overrides or a broker resource's dynamic
// values (the cluster default "" or one broker id); other keys stay as they
// are. The coordinator checks the values (INVALID_CONFIG).
#include <functional>
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

using resource_t = protocol::incremental_alter_configs_request::alter_configs_resource;

/// Turns the resource's operations into `request`'s SET / DELETE changes,
/// applied to `values` (the resource's stored values, updated in place).
/// `effective` is what a list config's APPEND / SUBTRACT start from (the
/// value in force: stored or default); `is_list` says which configs are
/// lists. Returns why the resource is refused, if it is.
template <class Request>
std::optional<std::string> to_changes(const resource_t& resource, std::map<std::string, std::string>& values,
                                      std::map<std::string, std::string> effective,
                                      const std::function<bool(const std::string&)>& is_list, Request& request) {
  for (const auto& c : resource.configs) {
    auto o = static_cast<op>(c.config_operation);
    bool list_op = o == op::append || o == op::subtract;
    if (c.config_operation < 0 || c.config_operation > 3)
      return "unknown config operation " + std::to_string(c.config_operation);
    if (list_op && !is_list(c.name)) return "APPEND and SUBTRACT apply only to list configs, not " + c.name;
    auto* change = request.add_changes();
    change->set_key(c.name);
    if (o == op::remove) {
      change->set_op(cluster::cv1::ConfigChange::DELETE);
      values.erase(c.name);
      continue;
    }
    auto value = list_op ? apply_list_op(o, effective[c.name], c.value.value_or("")) : c.value.value_or("");
    change->set_value(value);
    values[c.name] = value;
    effective[c.name] = value;
  }
  return std::nullopt;
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
    auto refuse = [&out](protocol::error_code e, std::string message) {
      out.error_code = code(e);
      out.error_message = std::move(message);
    };
    if (resource.resource_type == broker_resource) {
      auto admin = broker_config_target(resource.resource_name);
      if (!admin) {
        refuse(protocol::error_code::invalid_request,
               "broker resource name must be a broker id or empty (the cluster default), not " +
                   resource.resource_name);
        continue;
      }
      admin->set_validate_only(request.validate_only);
      auto values = dynamic_broker_configs(*view, *admin);
      // A list op starts from the value this resource has in force.
      std::map<std::string, std::string> effective;
      const auto layers = view->broker_layers(admin->cluster_default() ? -1 : admin->broker_id());
      for (const auto& e : broker_config_entries(layers, std::nullopt)) effective[e.name] = e.value.value_or("");
      auto is_list = [](const std::string& name) {
        const auto* def = config::find_broker(name);
        return def != nullptr && def->type == config::config_type::list;
      };
      if (auto why = to_changes(resource, values, std::move(effective), is_list, *admin)) {
        refuse(protocol::error_code::invalid_config, *why);
        continue;
      }
      alterations->send(i, std::move(*admin), std::move(values));
      continue;
    }
    const auto* topic = view->topic(resource.resource_name);
    if (resource.resource_type != topic_resource) {
      refuse(protocol::error_code::invalid_request, "only topic and broker configs can be altered");
      continue;
    }
    if (topic == nullptr) {
      refuse(protocol::error_code::unknown_topic_or_partition, "unknown topic " + resource.resource_name);
      continue;
    }
    auto overrides = config::to_std_map(topic->configs());
    cluster::cv1::AlterTopicConfigsRequest admin;
    admin.set_name(resource.resource_name);
    admin.set_validate_only(request.validate_only);
    auto is_list = [](const std::string& name) {
      const auto* def = config::find(name);
      return def != nullptr && def->type == config::config_type::list;
    };
    if (auto why = to_changes(resource, overrides, config::effective(overrides), is_list, admin)) {
      refuse(protocol::error_code::invalid_config, *why);
      continue;
    }
    alterations->send(i, std::move(admin), std::move(overrides));
  }
  alterations->sent_all();
}

}  // namespace sluice::gateway
