// OffsetDelete: drops a group's committed offsets for some partitions;
// refused for topics the group's members still subscribe to.
#include <set>

#include "common/protocol/messages/offset_delete.h"
#include "services/group-coordinator/api/api_context.h"

namespace sluice::group_coordinator {

void serve_offset_delete(const api_context& ctx) {
  auto req = ctx.decode<protocol::offset_delete_request>();
  auto answer = std::make_shared<protocol::offset_delete_response>();
  auto found = ctx.shards->find(req.group_id);
  if (!found.shard) {
    answer->error_code = code(found.error);
    return ctx.respond(*answer);
  }
  auto& shard = *found.shard;
  if (!shard.exists(req.group_id)) {
    answer->error_code = code(error_code::group_id_not_found);
    return ctx.respond(*answer);
  }
  std::set<std::string> subscribed;
  if (auto* g = shard.classic(req.group_id)) {
    if (g->state() != group_state::empty && g->protocol_type() != "consumer") {
      answer->error_code = code(error_code::non_empty_group);  // not a consumer: nothing tells what it uses
      return ctx.respond(*answer);
    }
    subscribed = g->subscribed_topics();
  } else if (auto* c = shard.consumer(req.group_id)) {
    subscribed = c->subscribed_topics(*ctx.topics);
  }
  std::vector<topic_partition> to_delete;
  std::vector<protocol::offset_delete_response::offset_delete_response_partition*> deleted;
  for (const auto& t : req.topics) {
    auto& rt = answer->topics.emplace_back();
    rt.name = t.name;
    rt.partitions.reserve(t.partitions.size());
    for (const auto& p : t.partitions) {
      auto& rp = rt.partitions.emplace_back();
      rp.partition_index = p.partition_index;
      if (subscribed.count(t.name)) {
        rp.error_code = code(error_code::group_subscribed_to_topic);
        continue;
      }
      to_delete.push_back({t.name, p.partition_index});
      deleted.push_back(&rp);
    }
  }
  if (to_delete.empty()) return ctx.respond(*answer);
  shard.delete_offsets(req.group_id, std::move(to_delete), [ctx, answer, deleted](error_code e) {
    if (e != error_code::none) answer->error_code = code(e);
    for (auto* rp : deleted) rp->error_code = code(e);
    ctx.respond(*answer);
  });
}

}  // namespace sluice::group_coordinator
