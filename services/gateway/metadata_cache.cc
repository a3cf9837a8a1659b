#include "services/gateway/metadata_cache.h"

#include <atomic>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

namespace sluice::gateway {

struct metadata_cache::waiter {
  predicate ready;
  std::function<void(bool)> done;
  std::atomic<bool> fired{false};
  std::unique_ptr<boost::asio::steady_timer> timer;

  // Exactly one of "became ready" and "timed out" wins.
  void fire(boost::asio::io_context& io, bool ok) {
    if (fired.exchange(true)) return;
    boost::asio::post(io, [done = std::move(done), ok] { done(ok); });
  }
};

metadata_cache::metadata_cache(cluster::cluster_client& client, boost::asio::io_context& io)
    : client_(client), io_(io) {
  client_.on_change([this](view_ptr view) { on_change(view); });
}

void metadata_cache::wait_until(predicate ready, std::chrono::milliseconds timeout,
                                std::function<void(bool)> done) {
  if (auto view = current(); view && ready(*view)) {
    boost::asio::post(io_, [done = std::move(done)] { done(true); });
    return;
  }
  auto w = std::make_shared<waiter>();
  w->ready = std::move(ready);
  w->done = std::move(done);
  w->timer = std::make_unique<boost::asio::steady_timer>(io_, timeout);
  {
    std::lock_guard lock(mutex_);
    waiters_.push_back(w);
  }
  // The view may have changed between the first check and registering.
  if (auto view = current(); view && w->ready(*view)) w->fire(io_, true);
  w->timer->async_wait([this, w](const boost::system::error_code&) {
    w->fire(io_, false);
    std::lock_guard lock(mutex_);
    std::erase(waiters_, w);
  });
}

void metadata_cache::on_change(const view_ptr& view) {
  std::lock_guard lock(mutex_);
  std::erase_if(waiters_, [&](const std::shared_ptr<waiter>& w) {
    if (w->fired) return true;
    if (!w->ready(*view)) return false;
    w->fire(io_, true);
    boost::asio::post(io_, [w] { w->timer->cancel(); });
    return true;
  });
}

}  // namespace sluice::gateway
