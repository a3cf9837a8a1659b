#pragma once
// The checks a Produce request passes in the gateway before its batches go
// to the partition servers (which validate the batches themselves). Pure, so
// they are unit-tested without a cluster.
#include "common/protocol/error_code.h"
#include "common/protocol/messages/produce.h"
#include "metadata.pb.h"

namespace sluice::gateway {

/// NONE, or the error one partition's entry answers without reaching its
/// partition server: bad acks, unknown or leaderless partition, no batch.
protocol::error_code produce_partition_check(const protocol::produce_request& request,
                                             const metadata::v1::PartitionInfo* info,
                                             const protocol::records_view& records);

/// Kafka's RequestUtils.hasTransactionalRecords: the first batch of some
/// partition's records is transactional. Such a request without a
/// transactional_id is refused whole with TRANSACTIONAL_ID_AUTHORIZATION_FAILED
/// (KafkaApis.handleProduceRequest), before any partition is touched.
bool has_transactional_records(const protocol::produce_request& request);

}  // namespace sluice::gateway
