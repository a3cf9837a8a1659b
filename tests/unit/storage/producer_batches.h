#pragma once
// Batches of idempotent and transactional producers for the producer state
// tests (storage and partition server): data batches with a producer id,
// epoch and base sequence, and transaction markers.
#include <cstdint>
#include <string>
#include <vector>

#include "common/protocol/control_record.h"
#include "common/protocol/record_batch.h"

namespace sluice::storage::test {

struct producer_batch_spec {
  std::int64_t producer_id = 1000;
  std::int16_t epoch = 0;
  std::int32_t sequence = 0;
  int records = 1;
  std::int64_t base_offset = 0;   // what the leader would stamp
  bool transactional = false;
  std::int64_t timestamp = 1000;  // of the first record; the next ones +1
};

/// `spec.records` records (values of 20 bytes) with the producer fields set.
inline std::vector<std::byte> producer_batch_bytes(const producer_batch_spec& spec) {
  std::vector<protocol::record_to_build> records;
  for (int i = 0; i < spec.records; ++i)
    records.push_back({.key = "k" + std::to_string(i), .value = std::string(20, 'v'), .headers = {},
                       .timestamp = spec.timestamp + i});
  return protocol::build_batch(records, {.base_offset = spec.base_offset,
                                         .transactional = spec.transactional,
                                         .producer_id = spec.producer_id,
                                         .producer_epoch = spec.epoch,
                                         .base_sequence = spec.sequence});
}

/// A COMMIT or ABORT marker of `producer_id` at `at`.
inline std::vector<std::byte> marker_bytes(std::int64_t producer_id, std::int16_t epoch, bool commit,
                                           std::int32_t coordinator_epoch, std::int64_t at,
                                           std::int64_t timestamp = 2000) {
  auto b = protocol::build_txn_marker_batch(
      {commit ? protocol::control_type::commit : protocol::control_type::abort, coordinator_epoch}, producer_id, epoch,
      timestamp);
  protocol::stamp_base_offset(b, at);
  return b;
}

}  // namespace sluice::storage::test
