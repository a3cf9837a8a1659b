#pragma once
// InitProducerId's checks before an id is handed out or the request is
// forwarded, in Kafka's order (KafkaApis.handleInitProducerIdRequest, then
// TransactionCoordinator.handleInitProducerId). Pure, so unit-tested.
#include <cstdint>
#include <optional>

#include "common/protocol/error_code.h"
#include "common/protocol/messages/init_producer_id.h"

namespace sluice::gateway {

/// The longest string a Kafka request can carry (int16 length), which
/// Kafka's parser refuses beyond; a flexible version's varint could say more.
inline constexpr std::size_t max_kafka_string = 32767;

/// The error the request is answered with, or nullopt when it goes on:
/// - v3+ producer id and epoch must be both -1 (a new producer) or both
///   set (KIP-360: the producer's current ones): else INVALID_REQUEST;
/// - a null transactional id is an idempotent producer: nothing more;
/// - an empty (or over-long) transactional id: INVALID_REQUEST;
/// - transaction_timeout_ms <= 0: INVALID_TRANSACTION_TIMEOUT (the
///   coordinator also checks the upper bound, transaction.max.timeout.ms).
std::optional<protocol::error_code> init_producer_id_refusal(const protocol::init_producer_id_request& request);

}  // namespace sluice::gateway
