#include "services/gateway/handlers/coordinator_lookup.h"

#include "common/cluster/group_shards.h"
#include "services/gateway/txn_routing.h"

namespace sluice::gateway {

coordinator_answer find_coordinator_for(const cluster::metadata_view& view, std::int8_t key_type,
                                        const std::string& key, int port_step) {
  using protocol::error_code;
  if (key_type != group_key_type && key_type != transaction_key_type)
    return {error_code::invalid_request, "unknown key type " + std::to_string(key_type), -1, "", -1};
  const bool group = key_type == group_key_type;
  const std::int32_t owner = group ? cluster::offsets_partition_owner(view, cluster::offsets_partition_for(key))
                                   : transaction_owner(view, key);
  if (owner < 0)
    return {error_code::coordinator_not_available,
            group ? "no group coordinator is live" : "no transaction coordinator is live", -1, "", -1};
  const std::int32_t broker = group ? group_broker(view, key) : transaction_broker(view, key);
  const auto address = broker_address_of(view, broker, port_step);
  if (!address)
    return {error_code::coordinator_not_available, "no partition server or no gateway is registered yet", -1, "",
            -1};
  return {error_code::none, "", address->node_id, address->host, address->port};
}

std::int32_t group_broker(const cluster::metadata_view& view, std::string_view group_id) {
  return coordinator_broker(view, cluster::offsets_topic, cluster::offsets_partition_for(group_id));
}

}  // namespace sluice::gateway
