#include "services/group-coordinator/consumer/consumer_group_store.h"

#include <algorithm>

namespace sluice::group_coordinator {

namespace {

using records = std::vector<record_log::record>;

topic_id_partitions to_ids(const member_assignment& a, const topic_catalog& topics) {
  topic_id_partitions out;
  for (const auto& [name, partitions] : a)
    if (const auto* t = topics.find(name)) out.emplace_back(t->id, partitions);
  return out;
}

member_assignment to_names(const topic_id_partitions& a, const topic_catalog& topics) {
  member_assignment out;
  for (const auto& [id, partitions] : a) {
    const auto* name = topics.name_of(id);
    if (!name) continue;
    auto& dst = out[*name];
    dst.insert(dst.end(), partitions.begin(), partitions.end());
    std::sort(dst.begin(), dst.end());
    dst.erase(std::unique(dst.begin(), dst.end()), dst.end());
  }
  return out;
}

bool same_metadata(const consumer_member& a, const consumer_member& b) {
  return a.instance_id == b.instance_id && a.rack_id == b.rack_id && a.client_id == b.client_id &&
         a.client_host == b.client_host && a.subscribed_topics == b.subscribed_topics &&
         a.subscribed_regex == b.subscribed_regex && a.rebalance_timeout_ms == b.rebalance_timeout_ms &&
         a.server_assignor == b.server_assignor && a.classic == b.classic;
}

bool same_assignment(const consumer_member& a, const consumer_member& b) {
  return a.member_epoch == b.member_epoch && a.previous_epoch == b.previous_epoch && a.assigned == b.assigned &&
         a.revoking == b.revoking;
}

const member_assignment* target_of(const consumer_group& g, const std::string& member_id) {
  auto it = g.target().find(member_id);
  return it == g.target().end() ? nullptr : &it->second;
}

consumer_member_state state_of(const consumer_group& g, const consumer_member& m) {
  if (!m.revoking.empty()) return consumer_member_state::unrevoked_partitions;
  const auto* target = target_of(g, m.member_id);
  const member_assignment desired = target ? *target : member_assignment{};
  if (m.member_epoch == g.assignment_epoch() && m.assigned != desired) return consumer_member_state::unreleased_partitions;
  return consumer_member_state::stable;
}

void add_member_tombstones(records& out, const std::string& group, const std::string& id) {
  out.push_back({encode_key(consumer_current_assignment_key{group, id}), std::nullopt});
  out.push_back({encode_key(consumer_target_member_key{group, id}), std::nullopt});
  out.push_back({encode_key(consumer_member_key{group, id}), std::nullopt});
}

std::string member_value(const consumer_member& m) {
  consumer_member_value v;
  v.instance_id = m.instance_id;
  v.rack_id = m.rack_id;
  v.client_id = m.client_id;
  v.client_host = m.client_host;
  v.subscribed_topic_names = m.subscribed_topics;
  v.subscribed_topic_regex = m.subscribed_regex;
  v.rebalance_timeout_ms = m.rebalance_timeout_ms;
  v.server_assignor = m.server_assignor;
  v.classic = m.classic;
  return encode_value(v);
}

std::string assignment_value(const consumer_group& g, const consumer_member& m, const topic_catalog& topics) {
  consumer_current_assignment_value v;
  v.member_epoch = m.member_epoch;
  v.previous_member_epoch = m.previous_epoch;
  v.state = state_of(g, m);
  v.assigned = to_ids(m.assigned, topics);
  v.pending_revocation = to_ids(m.revoking, topics);
  return encode_value(v);
}

std::string partition_metadata_value(const consumer_group& g, const topic_catalog& topics) {
  std::vector<consumer_topic_metadata> out;
  for (const auto& [name, count] : g.partition_counts()) {
    const auto* t = topics.find(name);
    out.push_back({t ? t->id : protocol::uuid{}, name, count});
  }
  return encode_partition_metadata_value(out);
}

}  // namespace

std::vector<record_log::record> consumer_group_changes(const consumer_group& before, const consumer_group& after,
                                                       const topic_catalog& topics) {
  const std::string& group = after.id();
  records out;
  for (const auto& [id, m] : before.members())
    if (!after.members().count(id)) add_member_tombstones(out, group, id);
  for (const auto& [id, m] : after.members()) {
    auto old = before.members().find(id);
    if (old == before.members().end() || !same_metadata(old->second, m))
      out.push_back({encode_key(consumer_member_key{group, id}), member_value(m)});
  }
  if (after.partition_counts() != before.partition_counts())
    out.push_back({encode_key(consumer_partition_metadata_key{group}), partition_metadata_value(after, topics)});
  if (after.group_epoch() != before.group_epoch())
    out.push_back({encode_key(consumer_group_epoch_key{group}), encode_group_epoch_value(after.group_epoch())});
  for (const auto& [id, target] : after.target()) {
    const auto* old = target_of(before, id);
    if (!old || *old != target)
      out.push_back({encode_key(consumer_target_member_key{group, id}), encode_target_member_value(to_ids(target, topics))});
  }
  for (const auto& [id, target] : before.target())
    if (!after.target().count(id) && after.members().count(id))  // members that left have theirs already
      out.push_back({encode_key(consumer_target_member_key{group, id}), std::nullopt});
  if (after.assignment_epoch() != before.assignment_epoch())
    out.push_back({encode_key(consumer_target_epoch_key{group}), encode_target_epoch_value(after.assignment_epoch())});
  for (const auto& [id, m] : after.members()) {
    auto old = before.members().find(id);
    if (old == before.members().end() || !same_assignment(old->second, m))
      out.push_back({encode_key(consumer_current_assignment_key{group, id}), assignment_value(after, m, topics)});
  }
  return out;
}

std::vector<record_log::record> consumer_group_tombstones(const consumer_group& g) {
  const std::string& group = g.id();
  records out;
  for (const auto& [id, m] : g.members())
    out.push_back({encode_key(consumer_current_assignment_key{group, id}), std::nullopt});
  for (const auto& [id, m] : g.members()) out.push_back({encode_key(consumer_target_member_key{group, id}), std::nullopt});
  out.push_back({encode_key(consumer_target_epoch_key{group}), std::nullopt});
  for (const auto& [id, m] : g.members()) out.push_back({encode_key(consumer_member_key{group, id}), std::nullopt});
  out.push_back({encode_key(consumer_partition_metadata_key{group}), std::nullopt});
  out.push_back({encode_key(consumer_group_epoch_key{group}), std::nullopt});
  return out;
}

void replay_consumer_record(consumer_group& g, const consumer_record_key& key, std::optional<std::string_view> value,
                            const topic_catalog& topics, time_point now) {
  if (std::holds_alternative<consumer_group_epoch_key>(key)) {
    if (value) g.restore_group_epoch(decode_group_epoch_value(*value));
  } else if (std::holds_alternative<consumer_partition_metadata_key>(key)) {
    std::map<std::string, std::int32_t> counts;
    if (value)
      for (auto& t : decode_partition_metadata_value(*value)) counts[std::move(t.name)] = t.partitions;
    g.restore_partition_counts(std::move(counts));
  } else if (const auto* k = std::get_if<consumer_member_key>(&key)) {
    if (!value) {
      g.restore_remove_member(k->member_id);
    } else {
      auto v = decode_member_value(*value);
      auto& m = g.restore_member(k->member_id, now);
      m.instance_id = std::move(v.instance_id);
      m.rack_id = std::move(v.rack_id);
      m.client_id = std::move(v.client_id);
      m.client_host = std::move(v.client_host);
      m.subscribed_topics = std::move(v.subscribed_topic_names);
      std::sort(m.subscribed_topics.begin(), m.subscribed_topics.end());
      m.subscribed_regex = v.subscribed_topic_regex && !v.subscribed_topic_regex->empty()
                               ? std::move(v.subscribed_topic_regex)
                               : std::nullopt;
      m.rebalance_timeout_ms = v.rebalance_timeout_ms;
      m.server_assignor = std::move(v.server_assignor);
      m.classic = std::move(v.classic);
      // A classic member's session is its own (JoinGroup's session timeout).
      if (m.classic) m.session_deadline = now + milliseconds(m.classic->session_timeout_ms);
    }
    g.restore_assignor();
  } else if (std::holds_alternative<consumer_target_epoch_key>(key)) {
    g.restore_assignment_epoch(value ? decode_target_epoch_value(*value) : 0);
  } else if (const auto* k = std::get_if<consumer_target_member_key>(&key)) {
    if (value) g.restore_target(k->member_id, to_names(decode_target_member_value(*value), topics));
    else g.restore_target(k->member_id, std::nullopt);
  } else if (const auto* k = std::get_if<consumer_current_assignment_key>(&key)) {
    if (!value) {
      // The member is leaving; its metadata's tombstone follows.
      if (!g.members().count(k->member_id)) return;
      auto& m = g.restore_member(k->member_id, now);
      m.member_epoch = 0;
      m.previous_epoch = -1;
      m.assigned.clear();
      m.revoking.clear();
      return;
    }
    auto v = decode_current_assignment_value(*value);
    auto& m = g.restore_member(k->member_id, now);
    m.member_epoch = v.member_epoch;
    m.previous_epoch = v.previous_member_epoch;
    m.assigned = to_names(v.assigned, topics);
    m.revoking = to_names(v.pending_revocation, topics);
    // Kafka reschedules the revocation timeout of members still revoking on load.
    m.revocation_deadline = now + milliseconds(m.rebalance_timeout_ms);
    m.assignment_changed = true;  // the next answer repeats the assignment, harmlessly
  }
}

}  // namespace sluice::group_coordinator
