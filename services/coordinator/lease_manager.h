#pragma once
// Leases of registered services: node id -> (registration epoch, deadline).
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "common/base/types.h"

namespace sluice::coordinator {

/// In-memory lease table (leases are deliberately not persisted: after a
/// coordinator restart every stored service gets a fresh grace TTL).
/// Time is always passed in, so tests drive it with a fake clock.
/// Owned by coordinator_state (one actor); not thread-safe.
/// Invariant: at most one lease per node id; its epoch only grows.
class lease_manager {
 public:
  using time_point = std::chrono::steady_clock::time_point;
  enum class renew_result { ok, expired, stale_epoch };

  explicit lease_manager(std::chrono::milliseconds ttl) : ttl_(ttl) {}

  /// Creates or replaces the lease of `id` (a re-registration fences the old epoch).
  void grant(node_id id, std::uint64_t epoch, time_point now);
  /// ok: deadline moved to now + ttl. expired: no lease (or it lapsed).
  /// stale_epoch: a newer registration holds the node id.
  renew_result renew(node_id id, std::uint64_t epoch, time_point now);
  /// Ends the lease of `id` now (its holder is known to be gone).
  void revoke(node_id id);
  /// Removes and returns (in node id order) every lease whose deadline is <= now.
  std::vector<node_id> take_expired(time_point now);
  /// Earliest deadline, for scheduling the next sweep.
  std::optional<time_point> next_deadline() const;

 private:
  struct lease {
    std::uint64_t epoch;
    time_point deadline;
  };
  std::chrono::milliseconds ttl_;
  std::map<node_id, lease> leases_;
};

}  // namespace sluice::coordinator
