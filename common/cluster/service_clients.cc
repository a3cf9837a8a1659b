#include "common/cluster/service_clients.h"

namespace sluice::cluster {

std::shared_ptr<messaging::rpc_client> service_clients::client(const metadata_view& view,
                                                                 std::int32_t node_id) {
  const auto* service = view.service(node_id);
  if (service == nullptr || service->kind() != kind_ || service->rpc_url().empty()) {
    return nullptr;
  }
  std::lock_guard lock(mutex_);
  auto& slot = clients_[node_id];
  if (!slot || slot->url() != service->rpc_url()) {
    // This may run inside one of the old client's callbacks, where closing
    // it would wait for ourselves: forget_stale() closes it right after.
    if (slot) to_close_.push_back(slot);
    slot = std::make_shared<messaging::rpc_client>(service->rpc_url());
  }
  return slot;
}

void service_clients::forget_stale(const metadata_view& view) {
  std::vector<std::shared_ptr<messaging::rpc_client>> stale;
  {
    std::lock_guard lock(mutex_);
    stale.swap(to_close_);
    std::erase_if(clients_, [&](const auto& entry) {
      const auto* service = view.service(entry.first);
      if (service != nullptr && service->rpc_url() == entry.second->url()) return false;
      stale.push_back(entry.second);
      return true;
    });
  }
  retire(std::move(stale));
}

void service_clients::retire(std::vector<std::shared_ptr<messaging::rpc_client>> old) {
  if (old.empty()) return;
  for (auto& c : old) c->close();
  std::lock_guard lock(mutex_);
  retired_.insert(retired_.end(), old.begin(), old.end());
}

}  // namespace sluice::cluster
