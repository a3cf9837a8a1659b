#pragma once
// A client's append on a leader as produce_op makes it once the transaction
// coordinator said yes to every verification (KIP-890): for the tests of
// other rules, whose transactional batches must get past verification.
#include <cstdint>
#include <span>

#include "services/partition-server/errors.h"
#include "services/partition-server/partition_state.h"

namespace sluice::partition_server {

inline append_outcome append_verified(partition_state& p, std::span<std::byte> batches, std::int64_t now_ms,
                                      std::int32_t acks = 1) {
  auto start = p.begin_verification(batches, now_ms, false);
  if (!start.verdict) {
    append_outcome refused;
    refused.error = map_append_error(start.verdict.error);
    refused.message = start.verdict.message;
    refused.log_start_offset = p.log_start_offset();
    return refused;
  }
  return p.append(batches, now_ms, acks, storage::append_origin::client,
                  start.pending ? start.pending->guard : storage::no_verification_guard);
}

}  // namespace sluice::partition_server
