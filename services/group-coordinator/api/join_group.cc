// JoinGroup: a member joins (or rejoins) a classic group; the answer waits
// until the rebalance completes.
#include "common/protocol/messages/join_group.h"
#include "common/protocol/versioned_data.h"
#include "services/group-coordinator/api/api_context.h"

namespace sluice::group_coordinator {

namespace {

void answer(const api_context& ctx, const join_result& result) {
  protocol::join_group_response r;
  r.error_code = code(result.error);
  r.generation_id = result.generation;
  r.protocol_type = result.protocol_type.empty() ? std::nullopt : std::optional(result.protocol_type);
  r.protocol_name = result.protocol_name;  // written as "" before v7, where it cannot be null
  r.leader = result.leader;
  r.member_id = result.member_id;
  for (const auto& m : result.members) {
    auto& out = r.members.emplace_back();
    out.member_id = m.member_id;
    out.group_instance_id = m.instance_id;
    out.metadata = protocol::bytes_of(m.metadata);
  }
  ctx.respond(r);
}

}  // namespace

void serve_join_group(const api_context& ctx) {
  auto req = ctx.decode<protocol::join_group_request>();
  auto fail = [&](error_code e) {
    join_result r = join_error(e, req.member_id);
    r.protocol_name = std::string();  // the response's defaults, as Kafka's (protocol name "")
    answer(ctx, r);
  };
  if (req.group_id.empty()) return fail(error_code::invalid_group_id);
  auto found = ctx.shards->find(req.group_id);
  if (!found.shard) return fail(found.error);

  join_request j;
  j.member_id = req.member_id;
  j.instance_id = req.group_instance_id;
  j.client_id = ctx.client_id;
  j.client_host = ctx.client_host;
  j.session_timeout_ms = req.session_timeout_ms;
  j.rebalance_timeout_ms = ctx.version >= 1 ? req.rebalance_timeout_ms : req.session_timeout_ms;
  j.protocol_type = req.protocol_type;
  for (auto& p : req.protocols) j.protocols.emplace_back(p.name, protocol::string_of(p.metadata));
  j.require_known_member = ctx.version >= 4;
  found.shard->join_group(req.group_id, std::move(j), *ctx.topics, ctx.now, [ctx](join_result result) { answer(ctx, result); });
}

}  // namespace sluice::group_coordinator
