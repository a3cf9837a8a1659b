#include "services/gateway/handlers/alter_topic_configs.h"

#include "common/config/topic_config.h"
#include "services/gateway/error_mapping.h"
#include "services/gateway/gateway_options.h"
#include "services/gateway/metadata_cache.h"

namespace sluice::gateway {

void alter_topic_configs(gateway_services& services, cluster::cv1::AlterTopicConfigsRequest request,
                         std::map<std::string, std::string> expected, std::function<void(alter_outcome)> done) {
  auto name = request.name();
  bool validate_only = request.validate_only();
  services.coordinator.alter_topic_configs(request, [&services, name, validate_only, expected = std::move(expected),
                                                     done](result<cluster::cv1::AlterTopicConfigsResponse> r) {
    alter_outcome outcome;
    if (!r) {
      outcome.error = protocol::error_code::request_timed_out;
      outcome.message = "coordinator unreachable: " + r.error().message();
      return done(outcome);
    }
    const auto& result = r.value().result();
    outcome.error = to_kafka(result.error());
    if (!result.error_message().empty()) outcome.message = result.error_message();
    if (outcome.error != protocol::error_code::none || validate_only) return done(outcome);
    auto applied = [name, expected](const cluster::metadata_view& view) {
      const auto* topic = view.topic(name);
      return topic == nullptr || config::to_std_map(topic->configs()) == expected;
    };
    services.metadata.wait_until(applied, services.options.admin_propagation_timeout,
                                 [done, outcome](bool) { done(outcome); });
  });
}

}  // namespace sluice::gateway
