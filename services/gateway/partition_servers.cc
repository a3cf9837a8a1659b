#include "services/gateway/partition_servers.h"

namespace sluice::gateway {

std::shared_ptr<messaging::rpc_client> partition_servers::client(const cluster::metadata_view& view,
                                                                 std::int32_t node_id) {
  const auto* service = view.service(node_id);
  if (service == nullptr || service->kind() != cluster::mv1::PARTITION_SERVER || service->rpc_url().empty()) {
    return nullptr;
  }
  std::lock_guard lock(mutex_);
  auto& slot = clients_[node_id];
  if (!slot || slot->url() != service->rpc_url()) {
    slot = std::make_shared<messaging::rpc_client>(service->rpc_url());
  }
  return slot;
}

}  // namespace sluice::gateway
