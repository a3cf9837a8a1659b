#include "services/group-coordinator/group_conversion.h"

#include <algorithm>

#include "services/group-coordinator/classic/consumer_protocol.h"

namespace sluice::group_coordinator {

namespace {

/// The assignment without the topics the catalog does not know.
member_assignment known_topics(protocol_partitions partitions, const topic_catalog& topics) {
  std::erase_if(partitions, [&](const auto& tp) { return !topics.find(tp.first); });
  return partitions;
}

}  // namespace

bool upgrade_allowed(const classic_group& g, const group_options& options) {
  return upgrade_enabled(options.consumer_migration) && g.protocol_type() == "consumer";
}

std::optional<consumer_group> consumer_group_from_classic(const classic_group& g, const group_options& options,
                                                          const topic_catalog& topics, time_point now) {
  consumer_group out(g.id(), options);
  const std::int32_t epoch = g.generation();
  out.restore_group_epoch(epoch);
  out.restore_assignment_epoch(epoch);
  for (const auto& [id, cm] : g.members()) {
    // The subscription for the group's protocol; a member that joined a
    // rebalance not completed yet offers it first.
    const std::string* metadata = g.protocol_name() ? cm.metadata_for(*g.protocol_name()) : nullptr;
    if (!metadata && !cm.protocols.empty()) metadata = &cm.protocols.front().second;
    if (!metadata) return std::nullopt;
    auto subscription = decode_subscription(*metadata);
    auto assigned = decode_assignment(cm.assignment);
    if (!subscription || !assigned) return std::nullopt;

    auto& m = out.restore_member(id, now);
    m.instance_id = cm.instance_id;
    m.rack_id = subscription->rack;
    m.client_id = cm.client_id;
    m.client_host = cm.client_host;
    m.subscribed_topics = std::move(subscription->topics);
    std::sort(m.subscribed_topics.begin(), m.subscribed_topics.end());
    m.subscribed_topics.erase(std::unique(m.subscribed_topics.begin(), m.subscribed_topics.end()),
                              m.subscribed_topics.end());
    m.rebalance_timeout_ms = cm.rebalance_timeout_ms;
    m.member_epoch = epoch;
    m.previous_epoch = epoch;
    m.assigned = known_topics(std::move(*assigned), topics);
    m.assignment_changed = false;
    m.classic = classic_member_metadata{cm.session_timeout_ms, cm.protocols};
    m.session_deadline = now + milliseconds(cm.session_timeout_ms);
    out.restore_target(id, m.assigned);
  }
  out.restore_assignor();
  return out;
}

bool downgrade_due(const consumer_group& before, const consumer_group& after, const group_options& options) {
  return downgrade_enabled(options.consumer_migration) && !after.empty() && before.has_consumer_protocol_members() &&
         !after.has_consumer_protocol_members() &&
         after.members().size() <= static_cast<std::size_t>(options.max_group_size);
}

classic_group classic_group_from_consumer(const consumer_group& g, const group_options& options, time_point now) {
  std::vector<classic_member> members;
  for (const auto& [id, m] : g.members()) {
    if (!m.classic) continue;  // downgrade_due: there is none
    classic_member cm;
    cm.member_id = id;
    cm.instance_id = m.instance_id;
    cm.client_id = m.client_id;
    cm.client_host = m.client_host;
    cm.session_timeout_ms = m.classic->session_timeout_ms;
    cm.rebalance_timeout_ms = m.rebalance_timeout_ms;
    cm.protocols = m.classic->protocols;
    auto target = g.target().find(id);
    cm.assignment = encode_assignment(target == g.target().end() ? member_assignment{} : target->second);
    members.push_back(std::move(cm));
  }
  classic_group out(g.id(), options);
  out.adopt(g.group_epoch(), std::move(members), now);
  return out;
}

}  // namespace sluice::group_coordinator
