// InitProducerId. Without a transactional id (an idempotent producer) the
// gateway answers itself, as Kafka's transaction coordinator "blindly
// accepts" it: a new producer id from the gateway's pool (blocks of ids the
// coordinator hands out, durable there, so no id is given twice), epoch 0,
// whatever id and epoch the request carries. While no id is at hand (the
// coordinator cannot be reached) the answer is COORDINATOR_LOAD_IN_PROGRESS,
// which clients retry, as Kafka answers while its next block is late.
// With a transactional id the request goes to the transaction coordinator
// owning the id's shard (txn_routing.h), which bumps the epoch and aborts
// what was open. Checks first (init_producer_id_checks.h).
#include "common/protocol/messages/init_producer_id.h"
#include "services/gateway/error_mapping.h"
#include "services/gateway/handlers/handler.h"
#include "services/gateway/handlers/init_producer_id_checks.h"
#include "services/gateway/txn_routing.h"

namespace sluice::gateway {
namespace {

using response_type = protocol::init_producer_id_response;

// Kafka answers clients before v4 INVALID_PRODUCER_EPOCH for PRODUCER_FENCED.
constexpr std::int16_t fenced_since = 4;

void answer_error(const request_context& ctx, protocol::error_code e) {
  response_type r;
  r.error_code = code(e);
  r.producer_id = -1;
  r.producer_epoch = -1;
  ctx.respond(r);
}

}  // namespace

void handle_init_producer_id(request_context ctx) {
  auto request = ctx.decode<protocol::init_producer_id_request>();
  if (auto refusal = init_producer_id_refusal(request)) return answer_error(ctx, *refusal);
  if (request.transactional_id)
    return forward_transaction_request<response_type>(std::move(ctx), *request.transactional_id, fenced_since);
  ctx.services->next_producer_id([ctx](result<std::int64_t> id) {
    if (!id) {
      ctx.log->debug("[{}] no producer id at hand: {}", ctx.header.client_id.value_or(""), id.error().message());
      return answer_error(ctx, protocol::error_code::coordinator_load_in_progress);
    }
    response_type r;
    r.producer_id = id.value();
    r.producer_epoch = 0;
    ctx.respond(r);
  });
}

}  // namespace sluice::gateway
