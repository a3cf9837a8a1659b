// partition_state's side of transactions: the leader's transaction marker
// (WriteTxnMarkers) and what a written control batch changes (producer
// state, the .txnindex, the LSO and the read_committed fetches parked on it).
#include "services/partition-server/partition_state.h"

#include <string>
#include <vector>

#include "common/base/endian.h"
#include "common/protocol/record_batch.h"
#include "services/partition-server/errors.h"
#include "services/partition-server/logger.h"
#include "services/partition-server/storage/partition_log.h"

namespace sluice::partition_server {

namespace {

// Kafka's EndTransactionMarker as a control batch at `at`: transactional |
// control, the marker's producer id and epoch, base sequence -1, one record
// whose key is i16 version 0 + i16 type (0 ABORT, 1 COMMIT) and whose value
// is i16 version 0 + i32 coordinator epoch.
std::vector<std::byte> marker_batch(const txn_marker& m, offset at, leader_epoch epoch, std::int64_t now_ms) {
  std::string key(4, '\0');
  std::string value(6, '\0');
  store_be(reinterpret_cast<std::byte*>(key.data()) + 2, static_cast<std::int16_t>(m.commit ? 1 : 0));
  store_be(reinterpret_cast<std::byte*>(value.data()) + 2, m.coordinator_epoch);
  const std::vector<protocol::record_to_build> records{{.key = key, .value = value, .headers = {}, .timestamp = now_ms}};
  return protocol::build_batch(records, {.base_offset = at(),
                                         .partition_leader_epoch = epoch(),
                                         .transactional = true,
                                         .control = true,
                                         .producer_id = m.producer_id,
                                         .producer_epoch = m.producer_epoch,
                                         .base_sequence = -1});
}

}  // namespace

append_outcome partition_state::write_txn_marker(const txn_marker& marker, std::int64_t now_ms) {
  append_outcome out;
  out.error = check_append(-1, out.message);
  if (out.error != pv1::PARTITION_OK) {
    out.log_start_offset = log_start_offset();
    return out;
  }
  // Built here, so stamped already: written as it is, after the integrity
  // and order checks every batch copied from elsewhere gets.
  const offset at = log_->log_end_offset();
  const auto batch = marker_batch(marker, at, leader_epoch_, now_ms);
  auto r = log_->append_replicated(batch, now_ms);
  out.error = map_append_error(r.error);
  out.message = std::move(r.message);
  out.log_start_offset = r.log_start_offset;
  if (out.error != pv1::PARTITION_OK) {
    log()->warn("[{}/{}] transaction marker for producer {} not written: {}", topic_, partition_, marker.producer_id,
                out.message);
    return out;
  }
  out.base_offset = r.base_offset;
  out.last_offset = r.last_offset;
  parked_.on_append(r.last_offset + 1, batch.size());
  maybe_advance_hw();
  return out;
}

}  // namespace sluice::partition_server
