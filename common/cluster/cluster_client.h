#pragma once
// A service's membership in the cluster: registration, lease heartbeats and
// its local copy of the metadata.
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "common/cluster/metadata_view.h"

namespace sluice::cluster {

struct client_options {
  std::string coordinator_url;                        // e.g. tcp://127.0.0.1:19090
  mv1::ServiceKind kind = mv1::SERVICE_KIND_UNSPECIFIED;
  std::int32_t requested_node_id = -1;                // -1: the coordinator assigns one
  std::string rpc_url;                                // where this service listens ("" if none)
  std::string kafka_host;                             // gateways only
  std::int32_t kafka_port = 0;                        // gateways only
  std::map<std::string, std::string> static_configs;  // partition servers: flags that differ from Kafka's defaults
  std::chrono::milliseconds rpc_timeout{2000};
  std::chrono::milliseconds retry_interval{250};      // between failed register attempts
};

/// Registers this service with the coordinator (retrying until it is
/// reachable), keeps the lease alive with heartbeats every ttl/3, and keeps
/// an up-to-date metadata_view: deltas from the coordinator's PUB socket are
/// applied in version order; a gap, or a heartbeat reporting a newer version,
/// triggers a snapshot fetch. On LEASE_EXPIRED or STALE_EPOCH it registers
/// again by itself, asking for the same node id.
///
/// Threads: one background thread (register/heartbeat/snapshot) plus NNG's
/// subscriber thread. All public members are thread-safe. Listeners run on
/// one of those threads, one at a time, in version order: they must not
/// block and must not call stop().
class cluster_client {
 public:
  using listener = std::function<void(std::shared_ptr<const metadata_view>)>;

  explicit cluster_client(client_options options);
  ~cluster_client();  // stop()
  cluster_client(const cluster_client&) = delete;
  cluster_client& operator=(const cluster_client&) = delete;

  /// Starts the background thread. Register listeners before, so none miss
  /// the first view.
  void start();
  /// Stops heartbeating and the subscription; idempotent. The lease is left
  /// to expire (the coordinator removes the service after its TTL).
  void stop();

  /// True once registered and a first metadata view is loaded.
  bool wait_ready(std::chrono::milliseconds timeout) const;
  /// The node id from the coordinator; -1 until the first registration.
  std::int32_t node_id() const noexcept;
  std::uint64_t registration_epoch() const noexcept;
  /// The latest view; an empty (version 0) view before the first load.
  std::shared_ptr<const metadata_view> current() const;
  /// Called with each new view (after deltas or a snapshot).
  void on_change(listener l);
  /// Called when the coordinator refuses a heartbeat (the lease expired or a
  /// newer registration fenced us), before registering again: whatever this
  /// service held may already belong to someone else. Same thread rules as
  /// listeners.
  void on_lease_lost(std::function<void()> f);
  /// Blocks until current()->version() >= version (e.g. after an admin RPC).
  bool wait_for_version(std::uint64_t version, std::chrono::milliseconds timeout) const;

  struct impl;

 private:
  std::shared_ptr<impl> impl_;
};

}  // namespace sluice::cluster
