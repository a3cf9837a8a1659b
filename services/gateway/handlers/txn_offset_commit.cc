// TxnOffsetCommit: forwarded to the coordinator of the GROUP (like
// OffsetCommit), which keeps the offsets pending until the transaction's
// marker. As in Kafka, partitions the metadata does not know answer
// UNKNOWN_TOPIC_OR_PARTITION here and only the rest are sent (re-encoded
// at the client's version when some were taken out); with none left the
// coordinator is not asked. The coordinator's answers are merged with these.
// Clients before v2 get COORDINATOR_NOT_AVAILABLE for COORDINATOR_LOAD_IN_PROGRESS,
// which they mishandled (KafkaApis, KAFKA-7296).
#include <memory>

#include "common/cluster/group_shards.h"
#include "common/protocol/messages/txn_offset_commit.h"
#include "services/gateway/error_mapping.h"
#include "services/gateway/group_routing.h"
#include "services/gateway/handlers/handler.h"
#include "services/gateway/handlers/txn_partition_checks.h"
#include "services/gateway/metadata_cache.h"

namespace sluice::gateway {
namespace {

using request_type = protocol::txn_offset_commit_request;
using response_type = protocol::txn_offset_commit_response;

void fill_error(response_type& r, const request_type& request, protocol::error_code e) {
  for (const auto& t : request.topics) {
    auto& rt = r.topics.emplace_back();
    rt.name = t.name;
    for (const auto& p : t.partitions) rt.partitions.push_back({.partition_index = p.partition_index, .error_code = code(e)});
  }
}

}  // namespace

void handle_txn_offset_commit(request_context ctx) {
  auto request = std::make_shared<request_type>(ctx.decode<request_type>());
  auto answered = std::make_shared<response_type>(take_unknown_partitions(*ctx.services->metadata.current(), *request));
  if (request->topics.empty()) return ctx.respond(*answered);
  if (!answered->topics.empty()) {
    // Some partitions were taken out: the coordinator gets the rest.
    protocol::writer out;
    request->encode(out, ctx.version());
    auto body = std::make_shared<const std::vector<std::byte>>(out.take());
    ctx.body = *body;
    ctx.frame = body;
  }
  auto answer_error = [request, answered](const request_context& c, protocol::error_code e) {
    response_type r = *answered;
    fill_error(r, *request, e);
    c.respond(r);
  };
  auto relay = [answered](const request_context& c, std::span<const std::byte> body) {
    if (answered->topics.empty() && c.version() >= 2) return relay_response(c, body);
    relay_adjusted<response_type>(c, body, [&](response_type& r) {
      r.topics.insert(r.topics.begin(), answered->topics.begin(), answered->topics.end());
      if (c.version() >= 2) return;
      for (auto& t : r.topics)
        for (auto& p : t.partitions)
          if (p.error_code == code(protocol::error_code::coordinator_load_in_progress))
            p.error_code = code(protocol::error_code::coordinator_not_available);
    });
  };
  const std::string group = request->group_id;
  forward_to_shard_owner(std::move(ctx), cluster::offsets_partition_for(group), group_call_timeout,
                         std::move(answer_error), std::move(relay));
}

}  // namespace sluice::gateway
