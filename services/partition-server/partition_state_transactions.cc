// partition_state's side of transactions: the leader's transaction marker
// (WriteTxnMarkers). What a written marker changes (the producer's open
// transaction, an abort's .txnindex entry) happens in the log
// (partition_log::write); the LSO it moves wakes read_committed fetches
// once the high watermark passes the marker (set_hw).
#include "services/partition-server/partition_state.h"

#include <string>

#include "common/protocol/control_record.h"
#include "common/protocol/record_batch.h"
#include "services/partition-server/errors.h"
#include "services/partition-server/logger.h"
#include "services/partition-server/storage/partition_log.h"

namespace sluice::partition_server {

append_outcome partition_state::write_txn_marker(const marker_request& marker, std::int64_t now_ms) {
  append_outcome out;
  out.error = check_append(-1, out.message);
  if (out.error != pv1::PARTITION_OK) {
    out.log_start_offset = log_start_offset();
    return out;
  }
  // Kafka's epoch and coordinator fencing, before anything is written.
  if (auto refused = log_->producers().check_marker(marker.producer_id, marker.producer_epoch,
                                                    marker.coordinator_epoch)) {
    out.error = map_append_error(*refused);
    out.message = "transaction marker of producer " + std::to_string(marker.producer_id) + " epoch " +
                  std::to_string(marker.producer_epoch) + " refused";
    out.log_start_offset = log_start_offset();
    return out;
  }
  auto batch = protocol::build_txn_marker_batch(
      {marker.commit ? protocol::control_type::commit : protocol::control_type::abort, marker.coordinator_epoch},
      marker.producer_id, marker.producer_epoch, now_ms);
  // Built and stamped here, then written as it is after the integrity and
  // order checks every batch copied from elsewhere gets. The log's producer
  // state closes the transaction and indexes an abort (partition_log::write).
  protocol::stamp_base_offset(batch, log_->log_end_offset()());
  protocol::stamp_partition_leader_epoch(batch, leader_epoch_());
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
