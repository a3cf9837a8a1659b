// OffsetFetch: up to v7 about one group (forwarded to its coordinator); from
// v8 about several, split by coordinator and merged.
#include "common/protocol/messages/offset_fetch.h"
#include "services/gateway/group_routing.h"
#include "services/gateway/handlers/handler.h"

namespace sluice::gateway {

namespace {

using request_type = protocol::offset_fetch_request;
using response_type = protocol::offset_fetch_response;

void fetch_one_group(request_context ctx, const request_type& request) {
  forward_to_owner(std::move(ctx), request.group_id, group_call_timeout, [request](const request_context& c, auto e) {
    response_type r;
    r.error_code = static_cast<std::int16_t>(e);
    if (c.version() < 2 && request.topics) {  // no top-level error yet: each partition carries it
      for (const auto& t : *request.topics) {
        auto& rt = r.topics.emplace_back();
        rt.name = t.name;
        for (auto p : t.partition_indexes) {
          auto& rp = rt.partitions.emplace_back();
          rp.partition_index = p;
          rp.committed_offset = -1;
          rp.error_code = static_cast<std::int16_t>(e);
        }
      }
    }
    c.respond(r);
  });
}

}  // namespace

void handle_offset_fetch(request_context ctx) {
  auto request = std::make_shared<request_type>(ctx.decode<request_type>());
  if (ctx.version() < 8) return fetch_one_group(std::move(ctx), *request);

  auto answer = std::make_shared<response_type>();
  std::vector<std::string> ids;
  for (const auto& g : request->groups) ids.push_back(g.group_id);
  fan_out_plan plan;
  route_groups(ctx, ids, plan);
  const auto version = ctx.version();
  plan.encode = [request, version](const std::vector<std::string>& groups) {
    request_type part = *request;
    std::erase_if(part.groups, [&](const auto& g) { return std::find(groups.begin(), groups.end(), g.group_id) == groups.end(); });
    protocol::writer out;
    part.encode(out, version);
    return out.take();
  };
  plan.absorb = [answer, version](std::span<const std::byte> body) {
    protocol::reader in(body);
    response_type part;
    part.decode(in, version);
    for (auto& g : part.groups) answer->groups.push_back(std::move(g));
  };
  plan.absorb_error = [answer](const std::vector<std::string>& groups, protocol::error_code e) {
    for (const auto& id : groups) {
      auto& g = answer->groups.emplace_back();
      g.group_id = id;
      g.error_code = static_cast<std::int16_t>(e);
    }
  };
  plan.finish = [ctx, answer] { ctx.respond(*answer); };
  fan_out(std::move(ctx), std::move(plan));
}

}  // namespace sluice::gateway
