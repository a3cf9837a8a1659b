#include "services/group-coordinator/classic/classic_group_store.h"

#include <utility>
#include <vector>

namespace sluice::group_coordinator {

record_log::record classic_group_record(const classic_group& g, std::int64_t wall_now_ms) {
  group_value v;
  v.protocol_type = g.protocol_type();
  v.generation = g.generation();
  v.protocol = g.protocol_name();
  v.leader = g.leader();
  v.state_timestamp = wall_now_ms;
  for (const auto& [id, m] : g.members()) {
    const std::string* md = g.protocol_name() ? m.metadata_for(*g.protocol_name()) : nullptr;
    v.members.push_back({id, m.instance_id, m.client_id, m.client_host, m.rebalance_timeout_ms, m.session_timeout_ms,
                         md ? *md : std::string(), m.assignment});
  }
  return {encode_key(group_key{g.id()}), encode_value(v)};
}

void restore_classic_group(classic_group& g, group_value v, time_point now) {
  std::vector<classic_member> members;
  for (auto& sm : v.members) {
    classic_member m;
    m.member_id = std::move(sm.member_id);
    m.instance_id = std::move(sm.instance_id);
    m.client_id = std::move(sm.client_id);
    m.client_host = std::move(sm.client_host);
    m.rebalance_timeout_ms = sm.rebalance_timeout_ms;
    m.session_timeout_ms = sm.session_timeout_ms;
    if (v.protocol) m.protocols.push_back({*v.protocol, std::move(sm.subscription)});
    m.assignment = std::move(sm.assignment);
    members.push_back(std::move(m));
  }
  g.restore(std::move(v.protocol_type), v.generation, std::move(v.protocol), std::move(v.leader), std::move(members),
            now);
}

}  // namespace sluice::group_coordinator
