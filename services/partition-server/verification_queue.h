#pragma once
// Per-producer order of a partition leader's appends while the transaction
// coordinator is being asked about one of them (KIP-890).
#include <cstdint>
#include <deque>
#include <functional>
#include <map>

namespace sluice::partition_server {

/// Keeps each producer's appends to one partition in arrival order while a
/// verification of that producer is out: a Java producer has up to five
/// requests in flight, and a later one written before the verified first
/// would break its sequences. Other producers are not held up.
///
/// Owned by one partition actor (not thread-safe). A step is the work of
/// one append, run either at once or when the producer's earlier steps are
/// done; a step that sends a verification calls verification_started(),
/// and the actor calls verification_done() once that append is answered.
/// Invariant: a producer has a line only while a verification is out or
/// steps wait in it.
class verification_queue {
 public:
  using step = std::function<void()>;

  /// Runs `run` now unless producer `producer_id` (>= 0) has a
  /// verification out, in which case it waits behind the earlier steps.
  /// Appends without a producer id never wait.
  void run_or_queue(std::int64_t producer_id, step run);
  /// The step running now sent a verification for `producer_id`.
  void verification_started(std::int64_t producer_id);
  /// That verification's append was answered: the waiting steps run, in
  /// order, until one of them sends a verification again.
  void verification_done(std::int64_t producer_id);

  /// Steps waiting behind a verification, over all producers (tests).
  std::size_t waiting() const;
  bool verifying(std::int64_t producer_id) const;

 private:
  struct line {
    bool verifying = false;
    std::deque<step> waiting;
  };
  std::map<std::int64_t, line> lines_;
};

}  // namespace sluice::partition_server
