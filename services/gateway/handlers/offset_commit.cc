// OffsetCommit: forwarded to the group's coordinator, which answers once the
// offsets are durable in __consumer_offsets.
#include "common/protocol/messages/offset_commit.h"
#include "services/gateway/error_mapping.h"
#include "services/gateway/group_routing.h"
#include "services/gateway/handlers/handler.h"

namespace sluice::gateway {

void handle_offset_commit(request_context ctx) {
  auto request = ctx.decode<protocol::offset_commit_request>();
  const std::string group = request.group_id;
  forward_to_owner(std::move(ctx), group, group_call_timeout,
                   [request = std::move(request)](const request_context& c, auto e) {
                     protocol::offset_commit_response r;
                     for (const auto& t : request.topics) {
                       auto& rt = r.topics.emplace_back();
                       rt.name = t.name;
                       for (const auto& p : t.partitions) {
                         auto& rp = rt.partitions.emplace_back();
                         rp.partition_index = p.partition_index;
                         rp.error_code = code(e);
                       }
                     }
                     c.respond(r);
                   });
}

}  // namespace sluice::gateway
