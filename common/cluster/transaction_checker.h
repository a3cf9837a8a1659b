#pragma once
// Asks a transactional id's transaction coordinator whether partitions are
// in the producer's open transaction (KIP-890 part 1), or has it add them
// (transaction version 2, KIP-890 part 2): what a partition leader does
// before writing a transactional batch that opens a transaction in a
// partition, and what a group coordinator does before a TxnOffsetCommit.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace sluice::cluster {

class cluster_client;

/// One producer's partitions to check (or add).
struct txn_check_request {
  std::string transactional_id;
  std::int64_t producer_id = -1;
  std::int16_t producer_epoch = -1;
  bool add = false;  // false: verify only; true: add them (transaction version 2)
  std::vector<std::pair<std::string, std::int32_t>> partitions;  // (topic, partition)
};

/// Per partition of the request, the Kafka error code the coordinator
/// answered (0: in the transaction, or added). When the request as a whole
/// failed every partition carries that one code: COORDINATOR_NOT_AVAILABLE
/// when no instance owns the id's shard, NETWORK_EXCEPTION when the call
/// failed, or the coordinator's top-level error (NOT_COORDINATOR, ...).
using txn_check_result = std::map<std::pair<std::string, std::int32_t>, std::int16_t>;

/// Sends Kafka's broker form of AddPartitionsToTxn (v5: a batch of one
/// transaction, verify_only = !add) over method::kafka_group_request to the
/// group-coordinator instance that owns the id's shard in the current
/// metadata. Thread-safe; `done` runs once, on an NNG thread (post it to
/// your actor).
class transaction_checker {
 public:
  explicit transaction_checker(cluster_client& cluster);
  ~transaction_checker();
  transaction_checker(const transaction_checker&) = delete;
  transaction_checker& operator=(const transaction_checker&) = delete;

  void check(txn_check_request request, std::function<void(txn_check_result)> done);

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace sluice::cluster
