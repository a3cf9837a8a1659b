#pragma once
// Transactional batches for the tests: a producer's data in a transaction
// and the COMMIT/ABORT control batch (marker) that ends it, in Kafka's v2
// format, stamped at a given base offset.
#include <cstdint>
#include <string>
#include <vector>

#include "common/base/endian.h"
#include "common/protocol/record_batch.h"

namespace sluice::storage::test {

/// `count` keyed records of producer `pid` inside a transaction (base
/// sequence `seq`), at `base`.
inline std::vector<std::byte> txn_data_batch(std::int64_t base, std::int64_t pid, int count = 1,
                                             std::int16_t epoch = 0, std::int32_t seq = 0, std::int64_t ts = 1000,
                                             const std::string& key_prefix = "k") {
  std::vector<protocol::record_to_build> records;
  for (int i = 0; i < count; ++i)
    records.push_back({.key = key_prefix + std::to_string(i), .value = "v" + std::to_string(base + i), .headers = {},
                       .timestamp = ts + i});
  return protocol::build_batch(records, {.base_offset = base, .partition_leader_epoch = 0, .transactional = true,
                                         .producer_id = pid, .producer_epoch = epoch, .base_sequence = seq});
}

/// The control batch ending producer `pid`'s transaction at `base`: key
/// i16 version 0 + i16 type (0 ABORT, 1 COMMIT), value i16 version 0 + i32
/// coordinator epoch.
inline std::vector<std::byte> marker_batch(std::int64_t base, std::int64_t pid, bool commit, std::int16_t epoch = 0,
                                           std::int32_t coordinator_epoch = 0, std::int64_t ts = 1000) {
  std::string key(4, '\0');
  std::string value(6, '\0');
  store_be(reinterpret_cast<std::byte*>(key.data()) + 2, static_cast<std::int16_t>(commit ? 1 : 0));
  store_be(reinterpret_cast<std::byte*>(value.data()) + 2, coordinator_epoch);
  std::vector<protocol::record_to_build> records{{.key = key, .value = value, .headers = {}, .timestamp = ts}};
  return protocol::build_batch(records, {.base_offset = base, .partition_leader_epoch = 0, .transactional = true,
                                         .control = true, .producer_id = pid, .producer_epoch = epoch,
                                         .base_sequence = -1});
}

}  // namespace sluice::storage::test
