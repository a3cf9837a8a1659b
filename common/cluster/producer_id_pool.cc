#include "common/cluster/producer_id_pool.h"

#include <condition_variable>
#include <deque>
#include <limits>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/cluster/cluster_client.h"
#include "common/cluster/coordinator_client.h"
#include "common/logging/logger.h"

namespace sluice::cluster {

/// The pool's state, shared with the callback of the request in flight so
/// that its answer can be delivered after the pool is gone.
struct producer_id_pool::state : std::enable_shared_from_this<state> {
  /// Ids [next, end) of a block; the next one is requested once next reaches prefetch_at.
  struct block {
    std::int64_t next;
    std::int64_t end;
    std::int64_t prefetch_at;
  };

  allocate_fn allocate;
  registration_fn registration;

  std::mutex mu;
  std::condition_variable idle;  // signalled when `requesting` drops to 0
  std::optional<block> current;
  std::optional<block> following;  // the prefetched block, while current still has ids
  bool fetching = false;           // a request is in flight (or about to be sent)
  bool closed = false;             // the pool is gone: send no more requests
  int requesting = 0;              // threads inside request(): the destructor waits for them
  std::deque<id_callback> waiters;

  state(allocate_fn a, registration_fn r) : allocate(std::move(a)), registration(std::move(r)) {}

  /// Under mu: the next id, moving to the prefetched block when the current
  /// one is used up; nullopt when neither has one.
  std::optional<std::int64_t> take_locked() {
    if (current && current->next == current->end) current = std::exchange(following, std::nullopt);
    if (!current) return std::nullopt;
    return current->next++;
  }

  /// Under mu: whether the next block must be requested now (then it is
  /// marked in flight): the current one is 90% used, or gone, and neither a
  /// request nor a prefetched block is pending. (Once the pool is gone,
  /// request() fails the callers instead of sending.)
  bool start_fetch_locked() {
    if (fetching || following) return false;
    if (current && current->next < current->prefetch_at) return false;
    fetching = true;
    return true;
  }

  /// Sends the request `start_fetch_locked` decided on.
  void request() {
    {
      std::unique_lock lock(mu);
      if (closed) {
        fetching = false;
        return fail_all(errc::unavailable, lock);
      }
      ++requesting;
    }
    const service_registration me = registration();
    if (me.node_id < 0) {
      delivered(errc::not_ready);
    } else {
      cv1::AllocateProducerIdsRequest req;
      req.set_node_id(me.node_id);
      req.set_registration_epoch(me.epoch);
      allocate(req, [self = shared_from_this()](result<cv1::AllocateProducerIdsResponse> r) {
        self->delivered(std::move(r));
      });
    }
    std::lock_guard lock(mu);
    if (--requesting == 0) idle.notify_all();
  }

  /// The request's outcome: a new block serves the queued callers in order;
  /// a failure fails all of them.
  void delivered(result<cv1::AllocateProducerIdsResponse> r) {
    std::error_code error;
    std::string why;
    if (!r) {
      error = r.error();
    } else if (const auto e = r.value().error(); e != cv1::COORDINATOR_OK) {
      error = e == cv1::LEASE_EXPIRED || e == cv1::STALE_EPOCH ? errc::stale_registration : errc::refused;
      why = " (" + cv1::CoordinatorError_Name(e) + (r.value().error_message().empty() ? "" : ": ") +
            r.value().error_message() + ")";
    } else if (r.value().count() <= 0 || r.value().first_producer_id() < 0 ||
               r.value().first_producer_id() > std::numeric_limits<std::int64_t>::max() - r.value().count()) {
      error = errc::bad_reply;
    }
    if (error) {
      logging::get("cluster")->warn("no producer id block: {}{}", error.message(), why);
      std::unique_lock lock(mu);
      fetching = false;
      return fail_all(error, lock);
    }
    const std::int64_t first = r.value().first_producer_id();
    const std::int64_t count = r.value().count();
    const block b{first, first + count, first + count * prefetch_percent / 100};

    std::vector<std::pair<id_callback, std::int64_t>> served;
    bool again = false;
    {
      std::lock_guard lock(mu);
      fetching = false;
      if (current && current->next < current->end)
        following = b;  // a prefetch: used once the current block is
      else
        current = b;
      while (!waiters.empty()) {
        auto id = take_locked();
        if (!id) break;
        served.emplace_back(std::move(waiters.front()), *id);
        waiters.pop_front();
      }
      // A block smaller than the queue: the rest wait for the next one.
      again = start_fetch_locked();
    }
    for (auto& [done, id] : served) done(id);
    if (again) request();
  }

  /// Fails every queued caller with `e`, calling them after releasing `lock`.
  void fail_all(std::error_code e, std::unique_lock<std::mutex>& lock) {
    auto failed = std::exchange(waiters, {});
    lock.unlock();
    for (auto& done : failed) done(e);
  }
};

producer_id_pool::producer_id_pool(allocate_fn allocate, registration_fn registration)
    : state_(std::make_shared<state>(std::move(allocate), std::move(registration))) {}

producer_id_pool::producer_id_pool(coordinator_client& coordinator, const cluster_client& cluster)
    : producer_id_pool(
          [&coordinator](const cv1::AllocateProducerIdsRequest& req, allocate_callback done) {
            coordinator.allocate_producer_ids(req, std::move(done));
          },
          // Two atomics read one after the other: a re-registration in between
          // gives a mixed pair, which the coordinator refuses
          // (stale_registration) and a later call gets right.
          [&cluster] { return service_registration{cluster.node_id(), cluster.registration_epoch()}; }) {}

producer_id_pool::~producer_id_pool() {
  // No request may start once this returns (its client may go next); one in
  // flight still answers the queued callers through the shared state.
  std::unique_lock lock(state_->mu);
  state_->closed = true;
  state_->idle.wait(lock, [this] { return state_->requesting == 0; });
}

void producer_id_pool::next(id_callback done) {
  std::optional<std::int64_t> id;
  bool fetch = false;
  {
    std::lock_guard lock(state_->mu);
    id = state_->take_locked();
    if (!id) state_->waiters.push_back(std::move(done));
    fetch = state_->start_fetch_locked();
  }
  if (fetch) state_->request();
  if (id) done(*id);
}

}  // namespace sluice::cluster
