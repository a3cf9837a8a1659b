// OffsetFetch: up to v7 about one group (forwarded to its coordinator); from
// v8 about several, split by coordinator and merged.
#include "common/protocol/messages/offset_fetch.h"
#include "services/gateway/error_mapping.h"
#include "services/gateway/group_fan_out.h"
#include "services/gateway/handlers/handler.h"

namespace sluice::gateway {

namespace {

using request_type = protocol::offset_fetch_request;
using response_type = protocol::offset_fetch_response;

void fetch_one_group(request_context ctx, const request_type& request) {
  forward_to_owner(std::move(ctx), request.group_id, group_call_timeout, [request](const request_context& c, auto e) {
    response_type r;
    r.error_code = code(e);
    if (c.version() < 2 && request.topics) {  // no top-level error yet: each partition carries it
      for (const auto& t : *request.topics) {
        auto& rt = r.topics.emplace_back();
        rt.name = t.name;
        for (auto p : t.partition_indexes) {
          auto& rp = rt.partitions.emplace_back();
          rp.partition_index = p;
          rp.committed_offset = -1;
          rp.error_code = code(e);
        }
      }
    }
    c.respond(r);
  });
}

}  // namespace

void handle_offset_fetch(request_context ctx) {
  if (ctx.version() < 8) return fetch_one_group(ctx, ctx.decode<request_type>());
  fan_out_by_group(std::move(ctx), &request_type::groups, &response_type::groups);
}

}  // namespace sluice::gateway
