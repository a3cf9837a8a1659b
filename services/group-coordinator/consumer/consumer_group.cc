#include "services/group-coordinator/consumer/consumer_group.h"

#include <algorithm>
#include <random>
#include <regex>

namespace sluice::group_coordinator {

namespace {

std::string id_key(const protocol::uuid& id) {
  return std::string(reinterpret_cast<const char*>(id.bytes.data()), id.bytes.size());
}

bool contains(const member_assignment& a, const std::string& topic, std::int32_t partition) {
  auto it = a.find(topic);
  return it != a.end() && std::binary_search(it->second.begin(), it->second.end(), partition);
}

/// a - b
member_assignment minus(const member_assignment& a, const member_assignment& b) {
  member_assignment out;
  for (const auto& [t, ps] : a)
    for (auto p : ps)
      if (!contains(b, t, p)) out[t].push_back(p);
  return out;
}

void add_all(member_assignment& into, const member_assignment& more) {
  for (const auto& [t, ps] : more) {
    auto& dst = into[t];
    dst.insert(dst.end(), ps.begin(), ps.end());
    std::sort(dst.begin(), dst.end());
    dst.erase(std::unique(dst.begin(), dst.end()), dst.end());
  }
}

bool subset_of(const member_assignment& a, const member_assignment& b) { return minus(a, b).empty(); }

consumer_heartbeat_result heartbeat_error(error_code e, std::string message) {
  consumer_heartbeat_result r;
  r.error = e;
  r.error_message = std::move(message);
  return r;
}

}  // namespace

std::string new_consumer_member_id() {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  static const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string id;
  for (int i = 0; i < 22; ++i) id += alphabet[rng() % 64];
  return id;
}

bool assignments_overlap(const member_assignment& a, const member_assignment& b) {
  for (const auto& [t, ps] : a)
    for (auto p : ps)
      if (contains(b, t, p)) return true;
  return false;
}

void topic_catalog::add(std::string name, protocol::uuid id, std::int32_t partitions) {
  by_id_[id_key(id)] = name;
  by_name_[std::move(name)] = topic{id, partitions};
}

const topic_catalog::topic* topic_catalog::find(const std::string& name) const {
  auto it = by_name_.find(name);
  return it == by_name_.end() ? nullptr : &it->second;
}

const std::string* topic_catalog::name_of(const protocol::uuid& id) const {
  auto it = by_id_.find(id_key(id));
  return it == by_id_.end() ? nullptr : &it->second;
}

consumer_group::consumer_group(std::string id, const group_options& options)
    : id_(std::move(id)), options_(options), assignor_(options.default_assignor) {}

const char* consumer_group::state_name() const noexcept {
  if (members_.empty()) return "Empty";
  for (const auto& [id, m] : members_) {
    if (m.member_epoch == static_leave_epoch) continue;  // away, holding what it had (Kafka keeps it STABLE)
    if (m.member_epoch != assignment_epoch_ || !m.revoking.empty()) return "Reconciling";
  }
  return "Stable";
}

std::vector<std::string> consumer_group::topics_of(const consumer_member& m, const topic_catalog& topics) const {
  std::vector<std::string> out = m.subscribed_topics;
  if (m.subscribed_regex) {
    try {
      const std::regex re(*m.subscribed_regex);
      for (const auto& [name, t] : topics.all())
        if (!name.starts_with("__") && std::regex_match(name, re)) out.push_back(name);
    } catch (const std::regex_error&) {
      // Checked when the member sent it; nothing matches a pattern we cannot read.
    }
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::set<std::string> consumer_group::subscribed_topics(const topic_catalog& topics) const {
  std::set<std::string> out;
  for (const auto& [id, m] : members_)
    for (auto& t : topics_of(m, topics)) out.insert(std::move(t));
  return out;
}

std::map<std::string, std::int32_t> consumer_group::subscribed_partition_counts(const topic_catalog& topics) const {
  std::map<std::string, std::int32_t> counts;
  for (const auto& name : subscribed_topics(topics))
    if (const auto* t = topics.find(name)) counts[name] = t->partitions;
  return counts;
}

std::string consumer_group::preferred_assignor() const {
  // The one most members ask for, else the default.
  std::map<std::string, int> votes;
  for (const auto& [id, m] : members_)
    if (m.server_assignor) ++votes[*m.server_assignor];
  std::string chosen = options_.default_assignor;
  int best = 0;
  for (const auto& [name, n] : votes)
    if (n > best) chosen = name, best = n;
  return chosen;
}

void consumer_group::rebalance(const topic_catalog& topics) {
  ++group_epoch_;
  assignor_ = preferred_assignor();

  partition_counts_ = subscribed_partition_counts(topics);
  std::vector<member_subscription> subs;
  for (const auto& [id, m] : members_) {
    member_assignment current = m.assigned;
    add_all(current, m.revoking);
    subs.push_back({id, topics_of(m, topics), std::move(current)});
  }
  target_ = assignor_ == "range" ? assign_range(subs, partition_counts_) : assign_uniform(subs, partition_counts_);
  assignment_epoch_ = group_epoch_;
}

bool consumer_group::held_by_other(const std::string& member_id, const std::string& topic,
                                   std::int32_t partition) const {
  for (const auto& [id, m] : members_)
    if (id != member_id && (contains(m.assigned, topic, partition) || contains(m.revoking, topic, partition)))
      return true;
  return false;
}

void consumer_group::reconcile(consumer_member& m, time_point now) {
  if (!m.revoking.empty()) return;  // waits for the member to confirm
  const auto desired_it = target_.find(m.member_id);
  const member_assignment desired = desired_it == target_.end() ? member_assignment{} : desired_it->second;
  member_assignment to_revoke = minus(m.assigned, desired);
  if (!to_revoke.empty()) {
    m.assigned = minus(m.assigned, to_revoke);
    m.revoking = std::move(to_revoke);
    m.revocation_deadline = now + milliseconds(m.rebalance_timeout_ms);
    m.assignment_changed = true;
    return;
  }
  member_assignment free;
  for (const auto& [t, ps] : minus(desired, m.assigned))
    for (auto p : ps)
      if (!held_by_other(m.member_id, t, p)) free[t].push_back(p);
  if (!free.empty()) {
    add_all(m.assigned, free);
    m.assignment_changed = true;
  }
  if (m.member_epoch != assignment_epoch_) {
    m.previous_epoch = m.member_epoch;
    m.member_epoch = assignment_epoch_;
    m.assignment_changed = true;
  }
}

consumer_heartbeat_result consumer_group::answer(consumer_member& m) {
  consumer_heartbeat_result r;
  r.member_id = m.member_id;
  r.member_epoch = m.member_epoch;
  r.heartbeat_interval_ms = static_cast<std::int32_t>(options_.consumer_heartbeat_interval.count());
  if (m.assignment_changed) {
    r.assignment = m.assigned;
    m.assignment_changed = false;
  }
  return r;
}

bool consumer_group::update_subscription(consumer_member& m, consumer_heartbeat& req, time_point now) {
  bool changed = false;
  if (req.subscribed_topic_names) {
    auto names = *req.subscribed_topic_names;
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end());
    if (names != m.subscribed_topics) m.subscribed_topics = std::move(names), changed = true;
  }
  if (req.subscribed_topic_regex && req.subscribed_topic_regex != m.subscribed_regex) {
    m.subscribed_regex = req.subscribed_topic_regex->empty() ? std::nullopt : req.subscribed_topic_regex;
    changed = true;
  }
  if (req.server_assignor && req.server_assignor != m.server_assignor) m.server_assignor = req.server_assignor, changed = true;
  if (req.rebalance_timeout_ms >= 0) m.rebalance_timeout_ms = req.rebalance_timeout_ms;
  if (req.rack_id) m.rack_id = req.rack_id;
  m.client_id = req.client_id;
  m.client_host = req.client_host;
  m.session_deadline = now + options_.consumer_session_timeout;
  return changed;
}

consumer_heartbeat_result consumer_group::join(consumer_heartbeat& req, const topic_catalog& topics, time_point now) {
  std::string id = req.member_id;
  if (id.empty()) {
    if (req.client_generates_member_id) return heartbeat_error(error_code::invalid_request, "MemberId can't be empty.");
    id = new_consumer_member_id();
  }
  if (req.instance_id) {
    for (auto& [other_id, other] : members_) {
      if (other_id == id || other.instance_id != req.instance_id) continue;
      if (other.member_epoch != static_leave_epoch)
        return heartbeat_error(error_code::unreleased_instance_id,
                               "static member " + *req.instance_id + " is still in the group as " + other_id);
      return rejoin_static(other_id, id, req, topics, now);
    }
  }
  // A member starting over keeps nothing; the rebalance below covers its leaving too.
  members_.erase(id);
  target_.erase(id);
  auto& m = members_[id];
  m.member_id = id;
  m.instance_id = req.instance_id;
  m.member_epoch = 0;
  m.rebalance_timeout_ms = req.rebalance_timeout_ms >= 0 ? req.rebalance_timeout_ms : 300000;
  req.subscribed_topic_names = req.subscribed_topic_names.value_or(std::vector<std::string>{});
  update_subscription(m, req, now);
  rebalance(topics);  // a new member always means a new epoch
  reconcile(m, now);
  m.assignment_changed = true;
  return answer(m);
}

consumer_heartbeat_result consumer_group::heartbeat(consumer_heartbeat req, const topic_catalog& topics,
                                                    time_point now) {
  if (req.subscribed_topic_regex && !req.subscribed_topic_regex->empty()) {
    try {
      std::regex check(*req.subscribed_topic_regex);
    } catch (const std::regex_error& e) {
      return heartbeat_error(error_code::invalid_regular_expression, e.what());
    }
  }
  if (req.server_assignor && *req.server_assignor != "uniform" && *req.server_assignor != "range")
    return heartbeat_error(error_code::unsupported_assignor, "server assignor " + *req.server_assignor + " is not one of uniform, range");
  if (req.member_epoch == 0) return join(req, topics, now);

  auto it = members_.find(req.member_id);
  if (it == members_.end())
    return heartbeat_error(error_code::unknown_member_id, "member " + req.member_id + " is not in the group");
  auto& m = it->second;
  if (req.member_epoch < 0) {
    consumer_heartbeat_result r;
    r.member_id = m.member_id;
    r.member_epoch = req.member_epoch;
    if (req.member_epoch == static_leave_epoch && m.instance_id) {
      // A static member away for a while (a restart): it keeps its
      // partitions, so no one else rebalances, unless it is not back within
      // the session timeout. Partitions it still had to give up are released.
      m.member_epoch = static_leave_epoch;
      m.revoking.clear();
      m.session_deadline = now + options_.consumer_session_timeout;
      return r;
    }
    remove(req.member_id, topics);  // -1, or -2 from a member without an instance id
    return r;
  }
  if (m.member_epoch == static_leave_epoch)  // it left; only a join with its instance id brings it back
    return heartbeat_error(error_code::fenced_member_epoch, "member " + m.member_id + " left the group");
  const bool current = req.member_epoch == m.member_epoch;
  // A member that missed our last answer may still speak with its previous
  // epoch, as long as it owns nothing we did not give it.
  const bool previous = req.member_epoch == m.previous_epoch && (!req.owned || subset_of(*req.owned, m.assigned));
  if (!current && !previous)
    return heartbeat_error(error_code::fenced_member_epoch, "member epoch " + std::to_string(req.member_epoch) + " is not " +
                             std::to_string(m.member_epoch));
  if (previous && !current) m.assignment_changed = true;  // resend what it missed
  if (req.owned && !m.revoking.empty() && !assignments_overlap(*req.owned, m.revoking)) m.revoking.clear();
  if (update_subscription(m, req, now) || subscribed_partition_counts(topics) != partition_counts_) rebalance(topics);
  reconcile(m, now);
  return answer(m);
}

consumer_heartbeat_result consumer_group::rejoin_static(const std::string& old_id, const std::string& new_id,
                                                        consumer_heartbeat& req, const topic_catalog& topics,
                                                        time_point now) {
  // The returning instance takes over under its new member id what the old
  // one held and was meant to hold; the group epoch moves only if its
  // subscription changed, so the other members see nothing.
  consumer_member m = std::move(members_.at(old_id));
  members_.erase(old_id);
  members_.erase(new_id);
  if (auto t = target_.extract(old_id)) {
    t.key() = new_id;
    target_.insert(std::move(t));
  }
  m.member_id = new_id;
  m.member_epoch = 0;
  m.previous_epoch = -1;
  if (req.rebalance_timeout_ms >= 0) m.rebalance_timeout_ms = req.rebalance_timeout_ms;
  auto& member = members_[new_id] = std::move(m);
  if (update_subscription(member, req, now)) rebalance(topics);
  reconcile(member, now);
  member.assignment_changed = true;
  return answer(member);
}

void consumer_group::remove(const std::string& member_id, const topic_catalog& topics) {
  if (!members_.erase(member_id)) return;
  target_.erase(member_id);
  rebalance(topics);
}

bool consumer_group::tick_due(const topic_catalog& topics, time_point now) const {
  for (const auto& [id, m] : members_) {
    if (m.session_deadline <= now) return true;
    if (!m.revoking.empty() && m.revocation_deadline <= now) return true;
    if (m.rejoin_deadline && *m.rejoin_deadline <= now) return true;
  }
  return !members_.empty() && subscribed_partition_counts(topics) != partition_counts_;
}

void consumer_group::restore_target(const std::string& member_id, std::optional<member_assignment> target) {
  if (target) target_[member_id] = std::move(*target);
  else target_.erase(member_id);
}

consumer_member& consumer_group::restore_member(const std::string& member_id, time_point now) {
  auto [it, added] = members_.try_emplace(member_id);
  if (added) {
    it->second.member_id = member_id;
    it->second.session_deadline = now + options_.consumer_session_timeout;
  }
  return it->second;
}

void consumer_group::restore_remove_member(const std::string& member_id) { members_.erase(member_id); }

void consumer_group::tick(const topic_catalog& topics, time_point now) {
  std::vector<std::string> gone;
  for (const auto& [id, m] : members_) {
    if (m.session_deadline <= now) gone.push_back(id);
    else if (!m.revoking.empty() && m.revocation_deadline <= now) gone.push_back(id);  // never let go: fenced
    else if (m.rejoin_deadline && *m.rejoin_deadline <= now) gone.push_back(id);  // a classic member that never rejoined
  }
  for (const auto& id : gone) remove(id, topics);
  if (!members_.empty() && subscribed_partition_counts(topics) != partition_counts_) rebalance(topics);
}

error_code consumer_group::validate_commit(const std::string& member_id, std::int32_t member_epoch) const {
  auto it = members_.find(member_id);
  if (it == members_.end()) {
    // Commits from outside the group (admin tools) are fine while it is empty.
    return member_id.empty() && member_epoch < 0 && members_.empty() ? error_code::none : error_code::unknown_member_id;
  }
  if (member_epoch != it->second.member_epoch)
    return it->second.classic ? error_code::illegal_generation : error_code::stale_member_epoch;
  return error_code::none;
}

}  // namespace sluice::group_coordinator
