// consumer_group's classic members: JoinGroup, SyncGroup, Heartbeat and
// LeaveGroup from members of a KIP-848 group that still speak the classic
// protocol, as Kafka's GroupMetadataManager serves them
// (classicGroupJoinToConsumerGroup and its siblings). Their assignment is
// the group's: computed by the server-side assignor, never by a leader.
#include <algorithm>

#include "services/group-coordinator/classic/consumer_protocol.h"
#include "services/group-coordinator/consumer/consumer_group.h"

namespace sluice::group_coordinator {

namespace {

constexpr const char* consumer_protocol_type = "consumer";

bool same_protocol_names(const classic_member_metadata& m, const std::string& name) {
  return std::any_of(m.protocols.begin(), m.protocols.end(), [&](const auto& p) { return p.first == name; });
}

}  // namespace

bool consumer_group::has_consumer_protocol_members() const {
  return std::any_of(members_.begin(), members_.end(), [](const auto& m) { return !m.second.classic; });
}

bool consumer_group::supports_classic_protocols(const join_request& req) const {
  if (req.protocol_type != consumer_protocol_type || req.protocols.empty()) return false;
  // One of the new member's protocols must be one every classic member offered.
  return std::any_of(req.protocols.begin(), req.protocols.end(), [&](const auto& p) {
    return std::all_of(members_.begin(), members_.end(), [&](const auto& m) {
      return !m.second.classic || same_protocol_names(*m.second.classic, p.first);
    });
  });
}

consumer_member& consumer_group::take_over(const std::string& old_id, const std::string& new_id) {
  consumer_member m = std::move(members_.at(old_id));
  members_.erase(old_id);
  if (auto t = target_.extract(old_id)) {
    t.key() = new_id;
    target_.insert(std::move(t));
  }
  m.member_id = new_id;
  return members_[new_id] = std::move(m);
}

join_result consumer_group::join_classic(join_request req, const topic_catalog& topics, time_point now) {
  const auto session = milliseconds(req.session_timeout_ms);
  if (session < options_.min_session_timeout || session > options_.max_session_timeout)
    return join_error(error_code::invalid_session_timeout, req.member_id);
  if (!supports_classic_protocols(req)) return join_error(error_code::inconsistent_group_protocol, req.member_id);
  // Every protocol carries the same subscription; Kafka reads the first.
  auto subscription = decode_subscription(req.protocols.front().second);
  if (!subscription) return join_error(error_code::inconsistent_group_protocol, req.member_id);

  std::string id = req.member_id;
  const bool unknown = id.empty();
  if (unknown) id = new_consumer_member_id();
  if (unknown && !req.instance_id && req.require_known_member)
    return join_error(error_code::member_id_required, id);  // nothing kept: the member rejoins with the id

  bool is_new = !members_.count(id);
  if (req.instance_id) {
    auto same = std::find_if(members_.begin(), members_.end(),
                             [&](const auto& m) { return m.second.instance_id == req.instance_id; });
    if (same != members_.end() && same->first != id) {
      if (!unknown) return join_error(error_code::fenced_instance_id, req.member_id);
      take_over(same->first, id);  // a restarted static member takes its place, and what it had
      is_new = false;
    } else if (same == members_.end() && !unknown) {
      return join_error(error_code::unknown_member_id, req.member_id);
    }
  }
  if (members_.size() >= static_cast<std::size_t>(options_.max_group_size) && is_new)
    return join_error(error_code::group_max_size_reached, id);

  auto& m = members_[id];
  if (is_new) {
    m.member_id = id;
    m.member_epoch = 0;
  }
  std::vector<std::string> topics_wanted = std::move(subscription->topics);
  std::sort(topics_wanted.begin(), topics_wanted.end());
  topics_wanted.erase(std::unique(topics_wanted.begin(), topics_wanted.end()), topics_wanted.end());
  const bool subscription_changed = is_new || topics_wanted != m.subscribed_topics || m.subscribed_regex;
  m.subscribed_topics = std::move(topics_wanted);
  m.subscribed_regex.reset();
  m.server_assignor.reset();
  m.instance_id = req.instance_id;
  if (subscription->rack) m.rack_id = subscription->rack;
  m.rebalance_timeout_ms = req.rebalance_timeout_ms;
  m.client_id = std::move(req.client_id);
  m.client_host = std::move(req.client_host);
  m.classic = classic_member_metadata{req.session_timeout_ms, std::move(req.protocols)};
  m.session_deadline = now + session;
  m.rejoin_deadline.reset();
  if (subscription_changed || subscribed_partition_counts(topics) != partition_counts_) rebalance(topics);

  // What it no longer owns is revoked: a cooperative member reports what it
  // still has, an eager one gave everything up before joining.
  const member_assignment& owned = subscription->owned;
  if (!m.revoking.empty() && !assignments_overlap(owned, m.revoking)) m.revoking.clear();
  reconcile(m, now);
  if (!m.revoking.empty() && !assignments_overlap(owned, m.revoking)) {
    m.revoking.clear();
    reconcile(m, now);
  }
  m.assignment_changed = false;  // a classic member gets it from SyncGroup

  join_result r;
  r.generation = m.member_epoch;
  r.protocol_type = consumer_protocol_type;
  r.protocol_name = m.classic->protocols.front().first;
  r.member_id = id;
  return r;
}

consumer_member* consumer_group::classic_member_named(const member_identity& member, error_code& error) {
  auto it = members_.end();
  if (member.instance_id) {
    it = std::find_if(members_.begin(), members_.end(),
                      [&](const auto& m) { return m.second.instance_id == member.instance_id; });
    if (it != members_.end() && !member.member_id.empty() && it->first != member.member_id) {
      error = error_code::fenced_instance_id;
      return nullptr;
    }
  } else {
    it = members_.find(member.member_id);
  }
  if (it == members_.end() || !it->second.classic) {
    error = error_code::unknown_member_id;  // a KIP-848 member does not speak the classic protocol
    return nullptr;
  }
  error = error_code::none;
  return &it->second;
}

error_code consumer_group::classic_rejoin_needed(consumer_member& m, time_point now) {
  bool rejoin = m.member_epoch < group_epoch_ || !m.revoking.empty();
  if (!rejoin) {
    // Partitions it waited for are free now: it rejoins to get them.
    const auto target = target_.find(m.member_id);
    if (target != target_.end())
      for (const auto& [t, ps] : target->second)
        for (auto p : ps)
          if (!assignments_overlap(m.assigned, {{t, {p}}}) && !held_by_other(m.member_id, t, p)) rejoin = true;
  }
  if (!rejoin) return error_code::none;
  if (!m.rejoin_deadline) m.rejoin_deadline = now + milliseconds(m.rebalance_timeout_ms);
  return error_code::rebalance_in_progress;
}

sync_result consumer_group::sync_classic(const sync_request& req, time_point now) {
  error_code e = error_code::none;
  auto* m = classic_member_named({req.member_id, req.instance_id}, e);
  if (!m) return sync_error(e);
  if (req.generation != m->member_epoch) return sync_error(error_code::illegal_generation);
  const std::string& protocol = m->classic->protocols.front().first;
  if ((req.protocol_type && *req.protocol_type != consumer_protocol_type) ||
      (req.protocol_name && *req.protocol_name != protocol))
    return sync_error(error_code::inconsistent_group_protocol);
  // A newer epoch: rejoin first, unless it is still giving partitions up
  // (it rejoins once it has, and then catches up).
  if (group_epoch_ > m->member_epoch && m->revoking.empty()) {
    if (!m->rejoin_deadline) m->rejoin_deadline = now + milliseconds(m->rebalance_timeout_ms);
    return sync_error(error_code::rebalance_in_progress);
  }
  m->session_deadline = now + milliseconds(m->classic->session_timeout_ms);
  sync_result r;
  r.protocol_type = consumer_protocol_type;
  r.protocol_name = protocol;
  r.assignment = encode_assignment(m->assigned);
  return r;
}

error_code consumer_group::heartbeat_classic(const member_identity& member, std::int32_t generation, time_point now) {
  error_code e = error_code::none;
  auto* m = classic_member_named(member, e);
  if (!m) return e;
  if (generation != m->member_epoch) return error_code::illegal_generation;
  m->session_deadline = now + milliseconds(m->classic->session_timeout_ms);
  return classic_rejoin_needed(*m, now);
}

error_code consumer_group::leave_classic(const member_identity& member, const topic_catalog& topics) {
  error_code e = error_code::none;
  auto* m = classic_member_named(member, e);
  if (!m) return e;
  remove(m->member_id, topics);
  return error_code::none;
}

}  // namespace sluice::group_coordinator
