#include "services/gateway/handlers/fetch_result.h"

#include "services/gateway/error_mapping.h"
#include "services/gateway/handlers/handler_util.h"

namespace sluice::gateway {

void apply_fetch_result(const partition::v1::PartitionFetchResult& result, std::int8_t isolation_level,
                        protocol::fetch_response::partition_data& out) {
  out.error_code = code(to_kafka(result.error()));
  out.high_watermark = result.high_watermark();
  out.log_start_offset = result.log_start_offset();
  out.last_stable_offset = -1;
  out.aborted_transactions = std::nullopt;
  if (result.error() != partition::v1::PARTITION_OK) return;
  out.last_stable_offset = result.last_stable_offset();
  if (isolation_level != read_committed) return;
  auto& aborted = out.aborted_transactions.emplace();
  aborted.reserve(static_cast<std::size_t>(result.aborted_transactions_size()));
  for (const auto& txn : result.aborted_transactions())
    aborted.push_back({.producer_id = txn.producer_id(), .first_offset = txn.first_offset()});
}

}  // namespace sluice::gateway
