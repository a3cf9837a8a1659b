// DescribeGroups: state, protocol and members of each group asked for.
#include "common/protocol/messages/describe_groups.h"
#include "common/protocol/versioned_data.h"
#include "services/group-coordinator/api/api_context.h"
#include "services/group-coordinator/classic/consumer_protocol.h"

namespace sluice::group_coordinator {

namespace {

using described = protocol::describe_groups_response::described_group;

/// A member's entry with who it is; classic and KIP-848 members alike.
template <class Member>
auto& add_member(described& out, const std::string& id, const Member& m) {
  auto& rm = out.members.emplace_back();
  rm.member_id = id;
  rm.group_instance_id = m.instance_id;
  rm.client_id = m.client_id;
  rm.client_host = m.client_host;
  return rm;
}

void describe_classic(const classic_group& g, described& out) {
  out.group_state = state_name(g.state());
  out.protocol_type = g.protocol_type();
  const bool stable = g.state() == group_state::stable;
  out.protocol_data = stable ? g.protocol_name().value_or("") : "";
  for (const auto& [id, m] : g.members()) {
    auto& rm = add_member(out, id, m);
    if (stable) {  // Kafka shows metadata and assignment only in a stable group
      if (const auto* md = m.metadata_for(*g.protocol_name())) rm.member_metadata = protocol::bytes_of(*md);
      rm.member_assignment = protocol::bytes_of(m.assignment);
    }
  }
}

void describe_consumer(const consumer_group& g, described& out) {
  // A KIP-848 group seen through the classic API: subscriptions and
  // assignments in the classic consumer protocol's formats, so tools that
  // only speak DescribeGroups still see who has what.
  out.group_state = g.state_name();
  out.protocol_type = "consumer";
  out.protocol_data = g.assignor();
  for (const auto& [id, m] : g.members()) {
    auto& rm = add_member(out, id, m);
    rm.member_metadata = protocol::bytes_of(encode_subscription(m.subscribed_topics));
    rm.member_assignment = protocol::bytes_of(encode_assignment(m.assigned));
  }
}

}  // namespace

void serve_describe_groups(const api_context& ctx) {
  auto req = ctx.decode<protocol::describe_groups_request>();
  protocol::describe_groups_response r;
  describe_each(ctx, req.groups, r.groups, [](const group_shard& shard, const std::string& id, described& out) {
    if (const auto* g = shard.classic(id)) {
      describe_classic(*g, out);
    } else if (const auto* c = shard.consumer(id)) {
      describe_consumer(*c, out);
    } else if (shard.exists(id)) {
      out.group_state = "Empty";  // only offsets: a standalone committer's group
    } else {
      out.group_state = "Dead";  // Kafka's answer for an unknown group, with no error
    }
  });
  ctx.respond(r);
}

}  // namespace sluice::group_coordinator
