#include "services/group-coordinator/txn/pool_producer_ids.h"

#include "common/logging/logger.h"

namespace sluice::group_coordinator::txn {

void pool_producer_ids::next_producer_id(
    std::function<void(std::optional<std::int64_t>, protocol::error_code)> done) {
  // The pool may answer at once or on an NNG thread: always go through the
  // actor, so the shard never runs on another thread or inside itself.
  pool_.next([post = post_, done = std::move(done)](result<std::int64_t> id) {
    if (id) return post([done, id = id.value()] { done(id, protocol::error_code::none); });
    logging::get("group")->warn("no producer id from the coordinator: {}", id.error().message());
    // Retriable for the client, which finds its coordinator again and retries.
    post([done] { done(std::nullopt, protocol::error_code::coordinator_not_available); });
  });
}

}  // namespace sluice::group_coordinator::txn
