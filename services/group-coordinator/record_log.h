#pragma once
// The interface a shard writes its records through: the shard's partition of
// __consumer_offsets (offsets_log in the service, a fake in unit tests).
// Only a shard's result_writer calls it.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/protocol/error_code.h"

namespace sluice::group_coordinator {

/// A transactional producer as a batch names it (TxnOffsetCommit's records
/// go in a batch carrying the producer's id and epoch, transactional bit set).
struct txn_producer {
  std::int64_t id = -1;
  std::int16_t epoch = -1;
};

/// One transaction marker for one partition (Kafka's EndTransactionMarker):
/// the partition's leader writes it as a control batch of the producer.
struct txn_marker {
  txn_producer producer;
  bool commit = false;  // COMMIT, else ABORT
  std::int32_t coordinator_epoch = 0;
};

/// Appends records to this shard's partition of __consumer_offsets and calls
/// `done` once they are durable (or failed), on the owner's actor. Appends
/// to one partition complete in the order they were made.
///
/// `done` gets NONE, or why the append failed as Kafka tells a committer:
/// NOT_COORDINATOR (another instance owns the shard now, or the leader's
/// log cannot write: Kafka's answer to KAFKA_STORAGE_ERROR),
/// COORDINATOR_NOT_AVAILABLE (no leader, too few replicas, a timeout),
/// INVALID_COMMIT_OFFSET_SIZE (the records are too large), or
/// UNKNOWN_SERVER_ERROR. Group operations answer the same failure with
/// group_write_error().
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

  // Transactions on __consumer_offsets (group shards only). They keep the
  // order of append(): everything reaches the log in the order made. A log
  // that never carries a consumer group's transaction (the transaction
  // coordinator's __transaction_state) keeps these defaults, which refuse.

  /// Appends `records` as one transactional batch of `producer` (Kafka writes
  /// TxnOffsetCommit so). Besides append()'s errors, `done` may get the
  /// producer's: INVALID_PRODUCER_EPOCH, PRODUCER_FENCED, INVALID_TXN_STATE.
  virtual void append_transactional(std::int32_t /*partition*/, std::int64_t /*shard_epoch*/,
                                    txn_producer /*producer*/, std::vector<record> /*records*/,
                                    std::function<void(protocol::error_code)> done) {
    done(protocol::error_code::unknown_server_error);
  }
  /// Has the partition's leader write `marker` (acks=all). `done` gets NONE
  /// once it is durable, else the reason as Kafka's WriteTxnMarkers answers
  /// it: NOT_LEADER_OR_FOLLOWER (not ours or no leader: retry),
  /// NOT_ENOUGH_REPLICAS(_AFTER_APPEND), REQUEST_TIMED_OUT,
  /// KAFKA_STORAGE_ERROR, or the producer's (PRODUCER_FENCED,
  /// INVALID_PRODUCER_EPOCH, TRANSACTION_COORDINATOR_FENCED, ...).
  virtual void write_marker(std::int32_t /*partition*/, std::int64_t /*shard_epoch*/, txn_marker /*marker*/,
                            std::function<void(protocol::error_code)> done) {
    done(protocol::error_code::unknown_server_error);
  }
};

/// Kafka's answer to a group operation (JoinGroup, SyncGroup, LeaveGroup,
/// ConsumerGroupHeartbeat, ...) whose records could not be written
/// (appendGroupMetadataErrorToResponseError): the coordinator errors pass,
/// records too large are UNKNOWN_SERVER_ERROR (only OffsetCommit answers
/// INVALID_COMMIT_OFFSET_SIZE).
inline protocol::error_code group_write_error(protocol::error_code append_error) {
  return append_error == protocol::error_code::invalid_commit_offset_size ? protocol::error_code::unknown_server_error
                                                                          : append_error;
}

}  // namespace sluice::group_coordinator
