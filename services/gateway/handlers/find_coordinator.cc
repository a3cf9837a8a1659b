// FindCoordinator: consumer groups and transactions come in later issues.
// The API is advertised only because librdkafka enables lz4 when it sees it
// (kafka-protocol-facts.md §4), so every key gets COORDINATOR_NOT_AVAILABLE,
// which clients treat as retriable.
#include "common/protocol/messages/find_coordinator.h"
#include "services/gateway/error_mapping.h"
#include "services/gateway/handlers/handler.h"

namespace sluice::gateway {

void handle_find_coordinator(request_context ctx) {
  auto request = ctx.decode<protocol::find_coordinator_request>();
  constexpr auto unavailable = protocol::error_code::coordinator_not_available;
  const char* why = "consumer groups and transactions are not served yet";
  protocol::find_coordinator_response response;
  response.error_code = code(unavailable);
  response.error_message = why;
  response.node_id = -1;
  response.port = -1;
  for (const auto& key : request.coordinator_keys) {
    auto& c = response.coordinators.emplace_back();
    c.key = key;
    c.node_id = -1;
    c.port = -1;
    c.error_code = code(unavailable);
    c.error_message = why;
  }
  ctx.respond(response);
}

}  // namespace sluice::gateway
