#include "services/gateway/handlers/alter_topic_configs.h"

#include "common/config/topic_config.h"
#include "services/gateway/error_mapping.h"
#include "services/gateway/gateway_options.h"
#include "services/gateway/metadata_cache.h"

namespace sluice::gateway {

alter_outcome coordinator_unreachable(const std::error_code& e) {
  return {protocol::error_code::request_timed_out, "coordinator unreachable: " + e.message()};
}

void await_config_change(gateway_services& services, alter_outcome outcome, bool validate_only,
                         std::function<bool(const cluster::metadata_view&)> applied,
                         std::function<void(alter_outcome)> done) {
  if (outcome.error != protocol::error_code::none || validate_only) return done(outcome);
  services.metadata.wait_until(std::move(applied), services.options.admin_propagation_timeout,
                               [done, outcome](bool) { done(outcome); });
}

void alter_topic_configs(gateway_services& services, cluster::cv1::AlterTopicConfigsRequest request,
                         std::map<std::string, std::string> expected, std::function<void(alter_outcome)> done) {
  auto name = request.name();
  bool validate_only = request.validate_only();
  services.coordinator.alter_topic_configs(request, [&services, name, validate_only, expected = std::move(expected),
                                                     done](result<cluster::cv1::AlterTopicConfigsResponse> r) {
    if (!r) return done(coordinator_unreachable(r.error()));
    const auto& result = r.value().result();
    alter_outcome outcome;
    outcome.error = to_kafka(result.error());
    if (!result.error_message().empty()) outcome.message = result.error_message();
    auto applied = [name, expected](const cluster::metadata_view& view) {
      const auto* topic = view.topic(name);
      return topic == nullptr || config::to_std_map(topic->configs()) == expected;
    };
    await_config_change(services, std::move(outcome), validate_only, applied, done);
  });
}

}  // namespace sluice::gateway
