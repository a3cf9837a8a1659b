// DescribeGroups: split by group coordinator, answers merged.
#include "common/protocol/messages/describe_groups.h"
#include "services/gateway/group_routing.h"
#include "services/gateway/handlers/handler.h"

namespace sluice::gateway {

void handle_describe_groups(request_context ctx) {
  using request_type = protocol::describe_groups_request;
  using response_type = protocol::describe_groups_response;
  auto request = std::make_shared<request_type>(ctx.decode<request_type>());
  auto answer = std::make_shared<response_type>();
  fan_out_plan plan;
  route_groups(ctx, request->groups, plan);
  const auto version = ctx.version();
  plan.encode = [request, version](const std::vector<std::string>& groups) {
    request_type part = *request;
    part.groups = groups;
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
