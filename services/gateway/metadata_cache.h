#pragma once
// The gateway's view of the cluster: the latest metadata from the
// coordinator, plus waits for a change to arrive (an admin call returns only
// once its effect is visible here, so the client's next Metadata sees it).
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "common/cluster/cluster_client.h"
#include "common/cluster/metadata_view.h"

namespace sluice::gateway {

class metadata_cache {
 public:
  using view_ptr = std::shared_ptr<const cluster::metadata_view>;
  using predicate = std::function<bool(const cluster::metadata_view&)>;

  /// Subscribes to `client`; call before client.start().
  metadata_cache(cluster::cluster_client& client, boost::asio::io_context& io);

  view_ptr current() const { return client_.current(); }

  /// Runs `done(true)` on the io_context once `ready` holds for the current
  /// view, or `done(false)` after `timeout`.
  void wait_until(predicate ready, std::chrono::milliseconds timeout, std::function<void(bool)> done);

 private:
  struct waiter;
  void on_change(const view_ptr& view);

  cluster::cluster_client& client_;
  boost::asio::io_context& io_;
  std::mutex mutex_;
  std::vector<std::shared_ptr<waiter>> waiters_;
};

}  // namespace sluice::gateway
