// ListGroups: every group this instance serves, filtered by state (v4+) and
// type (v5+). The gateway asks every instance and merges the answers.
#include <algorithm>

#include "common/protocol/messages/list_groups.h"
#include "services/group-coordinator/api/api_context.h"

namespace sluice::group_coordinator {

namespace {

/// Kafka matches filters case-insensitively.
bool matches(const std::vector<std::string>& filter, const std::string& value) {
  if (filter.empty()) return true;
  auto lower = [](std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    return s;
  };
  const std::string v = lower(value);
  return std::any_of(filter.begin(), filter.end(), [&](const std::string& f) { return lower(f) == v; });
}

}  // namespace

void serve_list_groups(const api_context& ctx) {
  auto req = ctx.decode<protocol::list_groups_request>();
  protocol::list_groups_response r;
  for (auto* shard : ctx.shards->loaded()) {
    for (auto& g : shard->list()) {
      if (!matches(req.states_filter, g.state) || !matches(req.types_filter, g.type)) continue;
      auto& out = r.groups.emplace_back();
      out.group_id = g.group_id;
      out.protocol_type = g.protocol_type;
      out.group_state = g.state;
      out.group_type = g.type;
    }
  }
  ctx.respond(r);
}

}  // namespace sluice::group_coordinator
