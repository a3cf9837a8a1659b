// DeleteGroups: removes empty groups with their offsets (tombstones in
// __consumer_offsets); a group with members is refused (NON_EMPTY_GROUP).
#include "common/protocol/messages/delete_groups.h"
#include "services/group-coordinator/api/api_context.h"

namespace sluice::group_coordinator {

void serve_delete_groups(const api_context& ctx) {
  auto req = ctx.decode<protocol::delete_groups_request>();
  auto answer = std::make_shared<protocol::delete_groups_response>();
  // Each deletion is its own write; the answer goes once all are done.
  auto pending = std::make_shared<std::size_t>(req.groups_names.size() + 1);
  auto finish = [ctx, answer, pending] {
    if (--*pending == 0) ctx.respond(*answer);
  };
  answer->results.resize(req.groups_names.size());
  for (std::size_t i = 0; i < req.groups_names.size(); ++i) {
    const auto& id = req.groups_names[i];
    auto& out = answer->results[i];
    out.group_id = id;
    auto deleted = [&out, finish](error_code e) {
      out.error_code = code(e);
      finish();
    };
    auto found = ctx.shards->find(id);
    if (!found.shard) deleted(found.error);
    else found.shard->delete_group(id, deleted);
  }
  finish();
}

}  // namespace sluice::group_coordinator
