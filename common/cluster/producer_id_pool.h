#pragma once
// Producer ids for idempotent and transactional producers, one at a time,
// from blocks the coordinator hands out (AllocateProducerIds).
#include <cstdint>
#include <functional>
#include <memory>

#include "common/base/result.h"
#include "common/cluster/errc.h"
#include "coordinator.pb.h"

namespace sluice::cluster {

namespace cv1 = sluice::coordinator::v1;
class cluster_client;
class coordinator_client;

/// A service's registration as the coordinator granted it, which
/// AllocateProducerIds is fenced by.
struct service_registration {
  std::int32_t node_id = -1;  // -1: not registered yet
  std::uint64_t epoch = 0;
};

/// Hands out producer ids one at a time from the current block and asks the
/// coordinator for the next block once 90% of the current one is used (as
/// Kafka's RPCProducerIdManager prefetches), so callers rarely wait.
///
/// Callers that find no id left (first use, or the next block is late) are
/// queued and answered in call order when a block arrives, or all failed
/// with the request's error: errc::unavailable / timed_out / bad_reply when
/// the coordinator did not answer, errc::not_ready before this service
/// registered, errc::stale_registration when the coordinator no longer knows
/// the registration (LEASE_EXPIRED, STALE_EPOCH: cluster_client registers
/// again by itself), errc::refused for any other refusal (STORAGE_FAILURE,
/// ids exhausted). Nothing is retried by itself: a later next() asks again.
///
/// Thread-safe; next() never blocks. Invariants: at most one request in
/// flight; callers wait only while one is; an id is handed out once (the
/// coordinator never hands out a block twice). Ids left in a block when the
/// service stops are lost, as in Kafka. The pool may be destroyed with a
/// request in flight: the request's answer still reaches the queued callers.
class producer_id_pool {
 public:
  /// Gets the id, or the error; runs exactly once, either inside next() on
  /// the caller's thread (an id was at hand, or the service is not
  /// registered) or later on the thread that delivers the block, for the
  /// coordinator_client an NNG thread: it must not block (post the result
  /// to your io_context or actor). It may call next() again.
  using id_callback = std::function<void(result<std::int64_t>)>;
  using allocate_callback = std::function<void(result<cv1::AllocateProducerIdsResponse>)>;
  /// Sends one AllocateProducerIds request; calls back exactly once, on any
  /// thread, possibly before it returns.
  using allocate_fn = std::function<void(const cv1::AllocateProducerIdsRequest&, allocate_callback)>;
  /// The registration to put in the next request (read at each request, so
  /// a re-registration is picked up).
  using registration_fn = std::function<service_registration()>;

  /// Share of a block used when the next one is requested.
  static constexpr int prefetch_percent = 90;

  producer_id_pool(allocate_fn allocate, registration_fn registration);
  /// Through `coordinator`'s allocate_producer_ids, for the registration
  /// `cluster` holds; both must outlive the pool (not its request in flight:
  /// a closed coordinator_client fails it with errc::unavailable).
  producer_id_pool(coordinator_client& coordinator, const cluster_client& cluster);
  /// Waits for a request being sent to leave allocate_fn, so that nothing
  /// calls it afterwards; never destroy the pool from one of its callbacks.
  ~producer_id_pool();
  producer_id_pool(const producer_id_pool&) = delete;
  producer_id_pool& operator=(const producer_id_pool&) = delete;

  /// The next producer id, through `done` (see id_callback for the thread).
  void next(id_callback done);

  struct state;  // shared with the callback of the request in flight

 private:
  std::shared_ptr<state> state_;
};

}  // namespace sluice::cluster
