#include "services/gateway/handlers/init_producer_id_checks.h"

namespace sluice::gateway {

using protocol::error_code;

std::optional<error_code> init_producer_id_refusal(const protocol::init_producer_id_request& request) {
  constexpr std::int64_t no_producer_id = -1;
  constexpr std::int16_t no_producer_epoch = -1;
  if ((request.producer_id == no_producer_id) != (request.producer_epoch == no_producer_epoch))
    return error_code::invalid_request;
  if (!request.transactional_id) return std::nullopt;
  const auto& id = *request.transactional_id;
  if (id.empty() || id.size() > max_kafka_string) return error_code::invalid_request;
  if (request.transaction_timeout_ms <= 0) return error_code::invalid_transaction_timeout;
  return std::nullopt;
}

}  // namespace sluice::gateway
