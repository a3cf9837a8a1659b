// ListGroups: asked of every live group coordinator, answers merged, keeping
// the groups this gateway is the coordinator of (find_coordinator.cc): admin
// clients ask every broker and concatenate, so each group must come from one
// gateway only, as from one broker in Kafka. If a group coordinator cannot be
// reached the answer says COORDINATOR_NOT_AVAILABLE with what the others listed.
#include "common/protocol/messages/list_groups.h"
#include "services/gateway/error_mapping.h"
#include "services/gateway/group_routing.h"
#include "common/cluster/group_shards.h"
#include "services/gateway/handlers/handler.h"
#include "services/gateway/leader_choice.h"
#include "services/gateway/metadata_cache.h"

namespace sluice::gateway {

void handle_list_groups(request_context ctx) {
  using request_type = protocol::list_groups_request;
  using response_type = protocol::list_groups_response;
  ctx.decode<request_type>();  // a malformed body closes the connection before anyone is asked
  auto answer = std::make_shared<response_type>();
  fan_out_plan plan;
  target_every_group_coordinator(ctx, plan);
  const auto version = ctx.version();
  auto view = ctx.services->metadata.current();
  const std::int32_t self = ctx.services->node_id();
  plan.absorb = [answer, version, view, self](std::span<const std::byte> body) {
    protocol::reader in(body);
    response_type part;
    part.decode(in, version);
    if (part.error_code != 0) answer->error_code = part.error_code;
    for (auto& g : part.groups) {
      const auto partition = cluster::offsets_partition_for(g.group_id);
      if (leader_gateway(*view, cluster::offsets_topic, partition) == self) answer->groups.push_back(std::move(g));
    }
  };
  plan.absorb_error = [answer](const std::vector<std::string>&, protocol::error_code e) {
    answer->error_code = code(e);
  };
  plan.finish = [ctx, answer] { ctx.respond(*answer); };
  fan_out(std::move(ctx), std::move(plan));
}

}  // namespace sluice::gateway
