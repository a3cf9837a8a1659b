#pragma once
// Replays one partition of an internal topic from its log start before its
// shard is served (COORDINATOR_LOAD_IN_PROGRESS meanwhile): reads committed
// batches under the shard epoch and hands each record of a data batch, in
// log order, to `apply`. The first read the partition server accepts under
// our epoch fences the previous owner; the replay then runs at least to the
// log end seen at that moment (the previous owner's last acks=all appends),
// waiting at most `replay_wait` for those to be committed.
//
// Used for __transaction_state (txn/transaction_service); the group shards'
// replay in group_service follows the same steps.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "services/group-coordinator/offsets_log.h"

namespace sluice::group_coordinator {

/// One partition's replay. Owned by whoever serves the shard, on the
/// service's actor. A failed or refused read is retried by the next poll();
/// a record that cannot be applied (apply throws) keeps the shard loading.
class log_loader {
 public:
  using apply_fn = std::function<void(std::string_view key, std::optional<std::string_view> value)>;
  static constexpr auto replay_wait = std::chrono::seconds(15);

  log_loader(offsets_log& log, std::string label, std::int32_t partition, std::int64_t shard_epoch, apply_fn apply,
             std::function<void()> on_loaded);

  bool loaded() const noexcept { return loaded_; }
  /// Reads on, unless a read is under way or the replay is done.
  void poll();

 private:
  void replayed(offsets_log::read_result r);

  offsets_log& log_;
  std::string label_;  // topic-partition, for the log lines
  std::int32_t partition_;
  std::int64_t shard_epoch_;
  apply_fn apply_;
  std::function<void()> on_loaded_;
  bool loaded_ = false;
  bool reading_ = false;
  std::int64_t next_offset_ = 0;
  std::int64_t replay_until_ = -1;
  std::chrono::steady_clock::time_point replay_deadline_{};
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);  // reads outliving the loader do nothing
};

}  // namespace sluice::group_coordinator
