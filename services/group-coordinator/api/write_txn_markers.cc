#include "services/group-coordinator/api/write_txn_markers.h"

#include <array>
#include <memory>
#include <utility>

#include "common/cluster/group_shards.h"
#include "common/logging/logger.h"

namespace sluice::group_coordinator {

namespace pv1 = partition::v1;

namespace {

auto log() {
  static auto l = logging::get("group");
  return l;
}

}  // namespace

pv1::PartitionError marker_partition_error(error_code e) {
  // A table, not a switch: error_code has every Kafka code, and only these
  // come out of a marker write.
  static constexpr std::array<std::pair<error_code, pv1::PartitionError>, 20> table{{
      {error_code::none, pv1::PARTITION_OK},
      // Not ours (any more), not loaded yet, or no leader: find the owner, retry.
      {error_code::not_leader_or_follower, pv1::NOT_LEADER},
      {error_code::not_coordinator, pv1::NOT_LEADER},
      {error_code::coordinator_not_available, pv1::NOT_LEADER},
      {error_code::coordinator_load_in_progress, pv1::NOT_LEADER},
      {error_code::not_enough_replicas, pv1::NOT_ENOUGH_REPLICAS},
      {error_code::not_enough_replicas_after_append, pv1::NOT_ENOUGH_REPLICAS_AFTER_APPEND},
      {error_code::request_timed_out, pv1::REQUEST_TIMED_OUT},
      {error_code::kafka_storage_error, pv1::STORAGE_ERROR},
      {error_code::invalid_producer_epoch, pv1::INVALID_PRODUCER_EPOCH},
      {error_code::producer_fenced, pv1::PRODUCER_FENCED},
      {error_code::transaction_coordinator_fenced, pv1::TRANSACTION_COORDINATOR_FENCED},
      {error_code::invalid_txn_state, pv1::INVALID_TXN_STATE},
      {error_code::unknown_producer_id, pv1::UNKNOWN_PRODUCER_ID},
      {error_code::invalid_producer_id_mapping, pv1::INVALID_PRODUCER_ID_MAPPING},
      {error_code::out_of_order_sequence_number, pv1::OUT_OF_ORDER_SEQUENCE_NUMBER},
      {error_code::corrupt_message, pv1::CORRUPT_MESSAGE},
      {error_code::message_too_large, pv1::MESSAGE_TOO_LARGE},
      {error_code::invalid_record, pv1::INVALID_RECORD},
      {error_code::invalid_request, pv1::INVALID_REQUEST},
  }};
  for (const auto& [kafka, partition] : table)
    if (kafka == e) return partition;
  // Anything else is a fault on our side a later attempt may not meet: the
  // transaction coordinator retries storage errors.
  return pv1::STORAGE_ERROR;
}

void serve_write_txn_markers(const pv1::WriteTxnMarkersRequest& request, shard_directory& shards,
                             std::function<void(pv1::WriteTxnMarkersResponse)> reply) {
  auto answer = std::make_shared<pv1::WriteTxnMarkersResponse>();
  // Every partition's answer is in place before any write starts, so the
  // completions only fill in errors; the reply goes with the last one.
  auto outstanding = std::make_shared<std::size_t>(1);
  auto finish = [answer, outstanding, reply = std::move(reply)] {
    if (--*outstanding == 0) reply(std::move(*answer));
  };
  for (const auto& m : request.markers()) {
    auto* out = answer->add_markers();
    out->set_producer_id(m.producer_id());
    for (const auto& p : m.partitions()) {
      auto* r = out->add_partitions();
      r->set_topic(p.topic());
      r->set_partition(p.partition());
      r->set_error(pv1::UNKNOWN_PARTITION);
    }
  }
  for (int mi = 0; mi < request.markers_size(); ++mi) {
    const auto& m = request.markers(mi);
    const txn_marker marker{{m.producer_id(), static_cast<std::int16_t>(m.producer_epoch())}, m.committed(),
                            m.coordinator_epoch()};
    for (int pi = 0; pi < m.partitions_size(); ++pi) {
      const auto& p = m.partitions(pi);
      auto* r = answer->mutable_markers(mi)->mutable_partitions(pi);
      if (p.topic() != cluster::offsets_topic) continue;  // UNKNOWN_PARTITION: only offsets partitions are ours
      auto found = shards.find_partition(p.partition());
      if (!found.shard) {
        r->set_error(marker_partition_error(found.error));
        continue;
      }
      ++*outstanding;
      log()->debug("[{}-{}] writing {} marker of producer {} epoch {} (coordinator epoch {})", cluster::offsets_topic,
                   p.partition(), marker.commit ? "COMMIT" : "ABORT", marker.producer.id, marker.producer.epoch,
                   marker.coordinator_epoch);
      found.shard->complete_transaction(marker, [r, finish](error_code e) {
        r->set_error(marker_partition_error(e));
        finish();
      });
    }
  }
  finish();
}

}  // namespace sluice::group_coordinator
