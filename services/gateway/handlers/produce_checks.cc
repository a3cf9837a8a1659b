#include "services/gateway/handlers/produce_checks.h"

#include "common/protocol/record_batch_view.h"

namespace sluice::gateway {

using protocol::error_code;

error_code produce_partition_check(const protocol::produce_request& request, const metadata::v1::PartitionInfo* info,
                                   const protocol::records_view& records) {
  if (request.acks != 0 && request.acks != 1 && request.acks != -1) return error_code::invalid_required_acks;
  if (info == nullptr) return error_code::unknown_topic_or_partition;
  if (info->leader() < 0) return error_code::not_leader_or_follower;
  // A records field that is null or empty holds no batch. Kafka refuses it
  // before the log with INVALID_RECORD ("must have at least one record batch
  // per partition", ProduceRequest.validateRecords); this is where a Kafka
  // client's empty records are decided. The partition server's own framing
  // rule would call an empty set CORRUPT_MESSAGE.
  if (!records || records->empty()) return error_code::invalid_record;
  return error_code::none;
}

bool has_transactional_records(const protocol::produce_request& request) {
  for (const auto& topic : request.topic_data) {
    for (const auto& part : topic.partition_data) {
      // A first batch too short for a header is no batch Kafka would read
      // either; the partition server answers it CORRUPT_MESSAGE.
      if (!part.records || part.records->size() < protocol::batch_layout::header_size) continue;
      if (protocol::batch_header(*part.records).is_transactional()) return true;
    }
  }
  return false;
}

}  // namespace sluice::gateway
