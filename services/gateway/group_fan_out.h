#pragma once
// The shape every multi-group API shares (DescribeGroups, DeleteGroups,
// OffsetFetch v8+, ConsumerGroupDescribe): a request listing groups, a
// response listing one result per group with `group_id` and `error_code`.
// The request is split by owning group coordinator, each part re-encoded at
// the client's version, and the results concatenated; groups whose owner is
// missing or unreachable answer COORDINATOR_NOT_AVAILABLE.
#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "services/gateway/error_mapping.h"
#include "services/gateway/group_routing.h"

namespace sluice::gateway {

inline const std::string& group_id_of(const std::string& id) { return id; }
template <class Entry>
const std::string& group_id_of(const Entry& entry) {
  return entry.group_id;
}

template <class Request, class Response, class AskedList, class AnsweredList>
void fan_out_by_group(request_context ctx, AskedList Request::*asked, AnsweredList Response::*answered) {
  auto request = std::make_shared<Request>(ctx.decode<Request>());
  auto answer = std::make_shared<Response>();
  std::vector<std::string> ids;
  for (const auto& entry : (*request).*asked) ids.push_back(group_id_of(entry));
  fan_out_plan plan;
  route_groups(ctx, ids, plan);
  const auto version = ctx.version();
  plan.encode = [request, asked, version](const std::vector<std::string>& groups) {
    Request part = *request;
    std::erase_if(part.*asked, [&](const auto& entry) {
      return std::find(groups.begin(), groups.end(), group_id_of(entry)) == groups.end();
    });
    protocol::writer out;
    part.encode(out, version);
    return out.take();
  };
  plan.absorb = [answer, answered, version](std::span<const std::byte> body) {
    protocol::reader in(body);
    Response part;
    part.decode(in, version);
    for (auto& result : part.*answered) ((*answer).*answered).push_back(std::move(result));
  };
  plan.absorb_error = [answer, answered](const std::vector<std::string>& groups, protocol::error_code e) {
    for (const auto& id : groups) {
      auto& result = ((*answer).*answered).emplace_back();
      result.group_id = id;
      result.error_code = code(e);
    }
  };
  plan.finish = [ctx, answer] { ctx.respond(*answer); };
  fan_out(std::move(ctx), std::move(plan));
}

}  // namespace sluice::gateway
