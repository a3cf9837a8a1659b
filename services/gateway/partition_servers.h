#pragma once
// RPC clients to the partition servers, one per server, made on first use
// from the metadata's rpc_url (and remade when a server comes back on
// another url).
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "common/cluster/metadata_view.h"
#include "common/messaging/rpc_client.h"

namespace sluice::gateway {

class partition_servers {
 public:
  /// nullptr when `node_id` is not a live partition server in `view`.
  std::shared_ptr<messaging::rpc_client> client(const cluster::metadata_view& view, std::int32_t node_id);

 private:
  std::mutex mutex_;
  std::unordered_map<std::int32_t, std::shared_ptr<messaging::rpc_client>> clients_;
};

}  // namespace sluice::gateway
