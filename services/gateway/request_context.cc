#include "services/gateway/request_context.h"

#include "services/gateway/broker_map.h"
#include "services/gateway/gateway_options.h"
#include "services/gateway/metadata_cache.h"

namespace sluice::gateway {

std::int32_t request_context::addressed_broker() const {
  // Computed per request, not per connection: ids move between ports when
  // partition servers or gateways come and go.
  return broker_at_port(*services->metadata.current(), services->node_id(), services->options.port, local_port,
                        services->options.broker_port_step);
}

}  // namespace sluice::gateway
