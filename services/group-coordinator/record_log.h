#pragma once
// The interface a shard writes its records through: the shard's partition of
// __consumer_offsets (offsets_log in the service, a fake in unit tests).
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/protocol/error_code.h"

namespace sluice::group_coordinator {

/// Appends records to this shard's partition of __consumer_offsets and calls
/// `done` once they are durable (or failed), on the owner's actor.
class record_log {
 public:
  struct record {
    std::string key;
    std::optional<std::string> value;  // nullopt: tombstone
  };
  virtual ~record_log() = default;
  /// `shard_epoch`: the coordinator's epoch for our ownership of the
  /// partition; the write is refused if the shard has a newer one.
  virtual void append(std::int32_t partition, std::int64_t shard_epoch, std::vector<record> records,
                      std::function<void(protocol::error_code)> done) = 0;
};

}  // namespace sluice::group_coordinator
