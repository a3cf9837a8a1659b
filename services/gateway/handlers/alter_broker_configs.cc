#include "services/gateway/handlers/alter_broker_configs.h"

#include <charconv>

#include "common/config/topic_config.h"
#include "services/gateway/error_mapping.h"

namespace sluice::gateway {

std::optional<cluster::cv1::AlterBrokerConfigsRequest> broker_config_target(const std::string& resource_name) {
  cluster::cv1::AlterBrokerConfigsRequest request;
  if (resource_name.empty()) {
    request.set_cluster_default(true);
    return request;
  }
  std::int32_t id = -1;
  auto [end, ec] = std::from_chars(resource_name.data(), resource_name.data() + resource_name.size(), id);
  if (ec != std::errc{} || end != resource_name.data() + resource_name.size() || id < 0) return std::nullopt;
  request.set_broker_id(id);
  return request;
}

std::map<std::string, std::string> dynamic_broker_configs(const cluster::metadata_view& view,
                                                          const cluster::cv1::AlterBrokerConfigsRequest& request) {
  const auto& all = view.broker_configs();
  if (request.cluster_default()) return config::to_std_map(all.cluster_defaults());
  auto it = all.brokers().find(request.broker_id());
  return it == all.brokers().end() ? std::map<std::string, std::string>{} : config::to_std_map(it->second.dynamic());
}

void alter_broker_configs(gateway_services& services, cluster::cv1::AlterBrokerConfigsRequest request,
                          std::map<std::string, std::string> expected, std::function<void(alter_outcome)> done) {
  services.coordinator.alter_broker_configs(
      request, [&services, request, expected = std::move(expected),
                done](result<cluster::cv1::AlterBrokerConfigsResponse> r) {
        if (!r) return done(coordinator_unreachable(r.error()));
        alter_outcome outcome;
        outcome.error = to_kafka(r.value().error());
        if (!r.value().error_message().empty()) outcome.message = r.value().error_message();
        auto applied = [request, expected](const cluster::metadata_view& view) {
          return dynamic_broker_configs(view, request) == expected;
        };
        await_config_change(services, std::move(outcome), request.validate_only(), applied, done);
      });
}

}  // namespace sluice::gateway
