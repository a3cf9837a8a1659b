#pragma once
// Where a transactional id lives: partition cluster::transaction_partition_for(id)
// of __transaction_state, which the group-coordinator instance owning the same
// partition of __consumer_offsets serves (same shard, same shard epoch: no
// metadata of its own). Requests about one transactional id are forwarded
// to that instance as Kafka bodies (group_routing.h does the forwarding, one
// request at a time per connection); requests about several are split by
// owner. The broker clients are told to use as the coordinator of an id is
// a fixed hash of its partition, the same on every gateway, so that lists
// merged over all brokers name each id once (list_transactions.cc).
#include <cstdint>
#include <string_view>

#include "common/cluster/metadata_view.h"
#include "services/gateway/error_mapping.h"
#include "services/gateway/group_routing.h"

namespace sluice::gateway {

/// The group coordinator serving `transactional_id` in `view`, or -1 when none is live.
std::int32_t transaction_owner(const cluster::metadata_view& view, std::string_view transactional_id);

/// The broker FindCoordinator names for `transactional_id` (and the only one
/// listing it in ListTransactions), or -1 when no broker is registered
/// (broker_map.h).
std::int32_t transaction_broker(const cluster::metadata_view& view, std::string_view transactional_id);

/// Forwards a request about one transactional id to its owner, after the
/// connection's earlier group and transaction requests; `answer_error` answers
/// when there is no live owner or it cannot be reached.
void forward_to_transaction_owner(request_context ctx, std::string_view transactional_id,
                                  std::function<void(const request_context&, protocol::error_code)> answer_error,
                                  answer_relay relay = relay_response);

/// Kafka (KafkaApis) answers clients that predate PRODUCER_FENCED, request
/// versions below `since`, INVALID_PRODUCER_EPOCH instead: the same
/// handling in the client. Any other error stays.
inline std::int16_t producer_fenced_for(std::int16_t error, std::int16_t version, std::int16_t since) {
  if (version < since && error == code(protocol::error_code::producer_fenced))
    return code(protocol::error_code::invalid_producer_epoch);
  return error;
}

/// For the APIs about one transactional id answered by one error code
/// (InitProducerId, AddOffsetsToTxn, EndTxn): forwards the request to the
/// id's owner, answers COORDINATOR_NOT_AVAILABLE without one (the client
/// looks the coordinator up again), and gives clients older than
/// `fenced_since` INVALID_PRODUCER_EPOCH for PRODUCER_FENCED.
template <class Response>
void forward_transaction_request(request_context ctx, std::string_view transactional_id, std::int16_t fenced_since) {
  auto answer_error = [](const request_context& c, protocol::error_code e) {
    Response r;
    r.error_code = code(e);
    if constexpr (requires { r.producer_epoch; }) r.producer_epoch = -1;  // no producer, as Kafka answers
    c.respond(r);
  };
  auto relay = [fenced_since](const request_context& c, std::span<const std::byte> body) {
    if (c.version() >= fenced_since) return relay_response(c, body);
    relay_adjusted<Response>(c, body, [&](Response& r) {
      r.error_code = producer_fenced_for(r.error_code, c.version(), fenced_since);
    });
  };
  forward_to_transaction_owner(std::move(ctx), transactional_id, std::move(answer_error), std::move(relay));
}

/// Splits transactional ids by owner in `view` into plan.targets / plan.unowned.
void route_transactional_ids(const cluster::metadata_view& view, const std::vector<std::string>& ids,
                             fan_out_plan& plan);

}  // namespace sluice::gateway
