// OffsetCommit: stores a group's positions in __consumer_offsets; answered
// once the records are durable (acks=all).
#include "common/protocol/messages/offset_commit.h"
#include "services/group-coordinator/api/api_context.h"

namespace sluice::group_coordinator {

namespace {

/// Whether this commit may be written for the group, by Kafka's rules.
error_code check_committer(group_shard& shard, const protocol::offset_commit_request& req, std::int16_t version) {
  if (auto* c = shard.consumer(req.group_id)) {
    auto e = c->validate_commit(req.member_id, req.generation_id_or_member_epoch);
    // Before v9 a client cannot know member epochs: Kafka answers ILLEGAL_GENERATION.
    if (e == error_code::stale_member_epoch && version < 9) e = error_code::illegal_generation;
    return e;
  }
  if (auto* g = shard.classic(req.group_id))
    return g->validate_commit(req.member_id, req.group_instance_id, req.generation_id_or_member_epoch);
  // No group yet: a standalone commit creates it; a member of a group we do not know is stale.
  return req.generation_id_or_member_epoch < 0 ? error_code::none : error_code::illegal_generation;
}

}  // namespace

void serve_offset_commit(const api_context& ctx) {
  auto req = ctx.decode<protocol::offset_commit_request>();
  // The answer lists every partition asked for, each with its own error.
  auto answer = std::make_shared<protocol::offset_commit_response>();
  for (const auto& t : req.topics) {
    auto& rt = answer->topics.emplace_back();
    rt.name = t.name;
    for (const auto& p : t.partitions) rt.partitions.emplace_back().partition_index = p.partition_index;
  }
  auto fail_all = [&](error_code e) {
    for (auto& t : answer->topics)
      for (auto& p : t.partitions) p.error_code = code(e);
    ctx.respond(*answer);
  };
  if (req.group_id.empty()) return fail_all(error_code::invalid_group_id);
  auto found = ctx.shards->find(req.group_id);
  if (!found.shard) return fail_all(found.error);
  if (auto e = check_committer(*found.shard, req, ctx.version); e != error_code::none) return fail_all(e);

  const std::int64_t now_ms = wall_clock_ms();
  std::vector<std::pair<topic_partition, offset_value>> offsets;
  std::vector<protocol::offset_commit_response::offset_commit_response_partition*> written;
  for (std::size_t ti = 0; ti < req.topics.size(); ++ti) {
    for (std::size_t pi = 0; pi < req.topics[ti].partitions.size(); ++pi) {
      const auto& p = req.topics[ti].partitions[pi];
      auto& out = answer->topics[ti].partitions[pi];
      auto v = offset_to_commit(p, *ctx.options, p.commit_timestamp >= 0 ? p.commit_timestamp : now_ms);
      if (!v) {
        out.error_code = code(error_code::offset_metadata_too_large);
        continue;
      }
      offsets.push_back({{req.topics[ti].name, p.partition_index}, std::move(*v)});
      written.push_back(&out);
    }
  }
  if (offsets.empty()) return ctx.respond(*answer);
  found.shard->commit(req.group_id, std::move(offsets), [ctx, answer, written](error_code e) {
    for (auto* out : written) out->error_code = code(e);
    ctx.respond(*answer);
  });
}

}  // namespace sluice::group_coordinator
