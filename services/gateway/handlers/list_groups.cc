// ListGroups: asked of every live group coordinator, answers merged, keeping
// the groups whose coordinator is the broker id the request was sent to
// (coordinator_lookup.h, broker_map.h): admin clients ask every broker and
// concatenate, so each group must come from one broker only, as in Kafka. If a group coordinator cannot be
// reached the answer says COORDINATOR_NOT_AVAILABLE with what the others listed.
#include "common/protocol/messages/list_groups.h"
#include "services/gateway/error_mapping.h"
#include "services/gateway/group_routing.h"
#include "common/cluster/group_shards.h"
#include "services/gateway/handlers/handler.h"
#include "services/gateway/handlers/coordinator_lookup.h"
#include "services/gateway/metadata_cache.h"

namespace sluice::gateway {

void handle_list_groups(request_context ctx) {
  using response_type = protocol::list_groups_response;
  auto view = ctx.services->metadata.current();
  const std::int32_t self = ctx.addressed_broker();
  list_from_every_group_coordinator<protocol::list_groups_request, response_type>(
      std::move(ctx), [view, self](response_type& answer, response_type& part) {
        for (auto& g : part.groups)
          if (self >= 0 && group_broker(*view, g.group_id) == self) answer.groups.push_back(std::move(g));
      });
}

}  // namespace sluice::gateway
