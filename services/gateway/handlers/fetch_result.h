#pragma once
// One partition's Fetch answer from its partition server's result, without
// the record bytes (fetch.cc splices those). Pure, so the isolation rules are
// unit-tested without a cluster:
// - the last stable offset is the server's for a partition without error,
//   else -1 (Kafka: no LSO on an error read);
// - aborted_transactions is null under read_uncommitted and for a partition
//   with an error, and present (maybe empty) for every read_committed answer
//   without one, as Kafka's LocalLog.read and KafkaApis answer.
#include <cstdint>

#include "common/protocol/messages/fetch.h"
#include "partition.pb.h"

namespace sluice::gateway {

void apply_fetch_result(const partition::v1::PartitionFetchResult& result, std::int8_t isolation_level,
                        protocol::fetch_response::partition_data& out);

}  // namespace sluice::gateway
