#pragma once
// RPC clients to the live services of one kind (partition servers, group
// coordinators), one per service, made on first use from the metadata's
// rpc_url (and remade when a service comes back on another url).
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/cluster/metadata_view.h"
#include "common/messaging/rpc_client.h"

namespace sluice::cluster {

class service_clients {
 public:
  explicit service_clients(mv1::ServiceKind kind) : kind_(kind) {}

  /// nullptr when `node_id` is not a live service of this kind in `view`.
  std::shared_ptr<messaging::rpc_client> client(const metadata_view& view, std::int32_t node_id);

  /// Closes the clients of servers that left `view` or came back on another
  /// url. Their calls in flight fail at once (as unavailable, a retriable
  /// error for the Kafka client) instead of waiting out their timeout on a
  /// dead address (for a gateway, that would also hold up the connection's
  /// later produces).
  /// Waits for those calls' callbacks: never call it from an NNG callback.
  void forget_stale(const metadata_view& view);

 private:
  // Closes `old` outside the lock (its callbacks may call client()) and
  // keeps it: destroying an rpc_client from a thread that one of its own
  // callbacks might be waiting on is not safe, and servers move rarely.
  void retire(std::vector<std::shared_ptr<messaging::rpc_client>> old);

  const mv1::ServiceKind kind_;
  std::mutex mutex_;
  std::unordered_map<std::int32_t, std::shared_ptr<messaging::rpc_client>> clients_;
  std::vector<std::shared_ptr<messaging::rpc_client>> to_close_;  // replaced by client(), not closed yet
  std::vector<std::shared_ptr<messaging::rpc_client>> retired_;
};

}  // namespace sluice::cluster
