// DescribeLogDirs: asked of the partition server whose broker id the request
// was sent to (request_context::addressed_broker, broker_map.h), which
// answers its data directory and the replicas it hosts, leader or follower
// (partition-server RPC describe_log_dirs); log_dirs_mapping.h has the
// translation and the errors. Kafka's only authorization check (DESCRIBE on
// the cluster) has no counterpart: Sluice has no ACLs.
#include "common/messaging/methods.h"
#include "common/protocol/messages/describe_log_dirs.h"
#include "partition.pb.h"
#include "services/gateway/handlers/handler.h"
#include "services/gateway/handlers/log_dirs_mapping.h"
#include "services/gateway/metadata_cache.h"
#include "services/gateway/partition_servers.h"

namespace sluice::gateway {
namespace {

// The server answers from memory (each replica's actor knows its size), so
// only a stuck server takes long; the Java admin's own timeout is 30 s.
constexpr std::chrono::milliseconds rpc_timeout{10000};

}  // namespace

void handle_describe_log_dirs(request_context ctx) {
  auto request = ctx.decode<protocol::describe_log_dirs_request>();
  auto view = ctx.services->metadata.current();
  const std::int32_t broker = ctx.addressed_broker();
  auto client = broker < 0 ? nullptr : ctx.services->servers.client(*view, broker);
  if (!client) {
    // The id this port fronted has gone (or the port fronts none): Kafka's
    // client would find no such broker; answer at once rather than hang.
    ctx.respond(log_dirs_failure(protocol::error_code::broker_not_available));
    return;
  }
  auto query = messaging::message::make(messaging::method::describe_log_dirs, log_dirs_query(request));
  client->call(std::move(query), rpc_timeout, [ctx](messaging::rpc_status status, messaging::message reply) {
    partition::v1::DescribeLogDirsResponse parsed;
    if (status != messaging::rpc_status::ok) return ctx.respond(log_dirs_failure(log_dirs_call_error(status)));
    if (!reply.parse_header(parsed))
      return ctx.respond(log_dirs_failure(protocol::error_code::unknown_server_error));
    ctx.respond(log_dirs_answer(parsed));
  });
}

}  // namespace sluice::gateway
