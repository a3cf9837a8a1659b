#include "services/group-coordinator/classic/classic_group.h"

#include <algorithm>
#include <random>
#include <utility>

#include "services/group-coordinator/classic/consumer_protocol.h"

namespace sluice::group_coordinator {

join_result join_error(error_code e, const std::string& member_id) {
  join_result r;
  r.error = e;
  r.member_id = member_id;
  return r;
}

sync_result sync_error(error_code e) {
  sync_result r;
  r.error = e;
  return r;
}

namespace {

sync_result sync_answer(const std::string& protocol_type, const std::optional<std::string>& protocol,
                        const std::string& assignment) {
  sync_result r;
  r.protocol_type = protocol_type;
  r.protocol_name = protocol;
  r.assignment = assignment;
  return r;
}

}  // namespace

const char* state_name(group_state s) noexcept {
  switch (s) {
    case group_state::empty: return "Empty";
    case group_state::preparing_rebalance: return "PreparingRebalance";
    case group_state::completing_rebalance: return "CompletingRebalance";
    case group_state::stable: return "Stable";
  }
  return "Unknown";
}

classic_effects with_error(const classic_effects& owed, error_code e) {
  classic_effects out;
  for (const auto& [waiter, answer] : owed.joins) out.joins.emplace_back(waiter, join_error(e, answer.member_id));
  for (const auto& [waiter, answer] : owed.syncs) out.syncs.emplace_back(waiter, sync_error(e));
  return out;
}

const std::string* classic_member::metadata_for(const std::string& protocol) const {
  for (const auto& [name, metadata] : protocols)
    if (name == protocol) return &metadata;
  return nullptr;
}

classic_group::classic_group(std::string id, const group_options& options) : id_(std::move(id)), options_(options) {}

void classic_group::answer_join(waiter_id waiter, join_result r) { effects_.joins.emplace_back(waiter, std::move(r)); }

void classic_group::answer_sync(waiter_id waiter, sync_result r) { effects_.syncs.emplace_back(waiter, std::move(r)); }

std::string classic_group::new_member_id(const std::string& client_id) {
  // Kafka's form: client id, a dash, a random UUID.
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  const std::uint64_t hi = rng(), lo = rng() ^ ++member_seq_;
  char uuid[40];
  std::snprintf(uuid, sizeof uuid, "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(hi >> 32),
                static_cast<unsigned>((hi >> 16) & 0xffff), static_cast<unsigned>(hi & 0xffff),
                static_cast<unsigned>(lo >> 48), static_cast<unsigned long long>(lo & 0xffffffffffffull));
  return client_id + "-" + uuid;
}

bool classic_group::supports_protocols(const join_request& req) const {
  if (req.protocols.empty() || req.protocol_type.empty()) return false;
  if (members_.empty()) return true;
  if (req.protocol_type != protocol_type_) return false;
  // Every current member must support at least one of the new member's protocols.
  return std::any_of(req.protocols.begin(), req.protocols.end(), [&](const auto& p) {
    return std::all_of(members_.begin(), members_.end(),
                       [&](const auto& m) { return m.second.metadata_for(p.first) != nullptr; });
  });
}

error_code classic_group::check_member(const std::string& member_id,
                                       const std::optional<std::string>& instance_id) const {
  if (instance_id) {
    auto it = static_members_.find(*instance_id);
    if (it != static_members_.end() && it->second != member_id) return error_code::fenced_instance_id;
  }
  if (!members_.count(member_id)) return error_code::unknown_member_id;
  return error_code::none;
}

void classic_group::join(join_request req, waiter_id waiter, time_point now) {
  const auto session = milliseconds(req.session_timeout_ms);
  if (session < options_.min_session_timeout || session > options_.max_session_timeout)
    return answer_join(waiter, join_error(error_code::invalid_session_timeout, req.member_id));
  if (!supports_protocols(req))
    return answer_join(waiter, join_error(error_code::inconsistent_group_protocol, req.member_id));

  if (req.member_id.empty()) {
    // A static member coming back takes over its old member id's place.
    if (req.instance_id) {
      auto it = static_members_.find(*req.instance_id);
      if (it != static_members_.end() && members_.count(it->second))
        return replace_static_member(it->second, req, waiter, now);
      std::string fresh = new_member_id(req.client_id);
      return add_member(std::move(req), std::move(fresh), waiter, now);
    }
    std::string fresh = new_member_id(req.client_id);
    if (req.require_known_member) {
      // KIP-394: hand out the id first, so a client that dies before
      // joining leaves no member behind that the group would wait for.
      pending_members_[fresh] = now + session;
      return answer_join(waiter, join_error(error_code::member_id_required, fresh));
    }
    return add_member(std::move(req), std::move(fresh), waiter, now);
  }

  if (auto p = pending_members_.find(req.member_id); p != pending_members_.end()) {
    pending_members_.erase(p);
    std::string id = req.member_id;
    return add_member(std::move(req), std::move(id), waiter, now);
  }
  if (auto e = check_member(req.member_id, req.instance_id); e != error_code::none)
    return answer_join(waiter, join_error(e, req.member_id));
  update_member(members_.at(req.member_id), req, waiter, now);
}

void classic_group::replace_static_member(std::string old_id, join_request& req, waiter_id waiter, time_point now) {
  classic_member m = std::move(members_.at(old_id));
  members_.erase(old_id);
  if (m.awaiting_join) answer_join(m.awaiting_join, join_error(error_code::fenced_instance_id, old_id));
  if (m.awaiting_sync) answer_sync(m.awaiting_sync, sync_error(error_code::fenced_instance_id));
  m.awaiting_join = m.awaiting_sync = no_waiter;
  const bool was_leader = leader_ == old_id;
  m.member_id = new_member_id(req.client_id);
  static_members_[*req.instance_id] = m.member_id;
  if (was_leader) leader_ = m.member_id;
  auto& member = members_.emplace(m.member_id, std::move(m)).first->second;
  if (state_ != group_state::stable || member.protocols != req.protocols)
    return update_member(member, req, waiter, now);

  // Kafka's point of static membership: a restart within the session keeps
  // the assignment without a rebalance. The new member id is stored first:
  // the answer goes out once it is durable.
  member.client_id = req.client_id;
  member.client_host = req.client_host;
  member.session_timeout_ms = req.session_timeout_ms;
  member.rebalance_timeout_ms = req.rebalance_timeout_ms;
  member.session_deadline = now + milliseconds(member.session_timeout_ms);
  join_result answer = current_join_result(member);
  if (was_leader) {
    // As Kafka does: answer with the old leader id, so the restarted leader
    // acts as a follower and fetches its assignment rather than computing a
    // new one that a stable group would never hand out.
    answer.leader = old_id;
    answer.members.clear();
  }
  effects_.metadata_changed = true;
  answer_join(waiter, std::move(answer));
}

void classic_group::add_member(join_request req, std::string member_id, waiter_id waiter, time_point now) {
  if (static_cast<std::int64_t>(members_.size()) >= options_.max_group_size)
    return answer_join(waiter, join_error(error_code::group_max_size_reached, member_id));
  if (members_.empty()) protocol_type_ = req.protocol_type;
  classic_member m;
  m.member_id = member_id;
  m.instance_id = req.instance_id;
  m.client_id = std::move(req.client_id);
  m.client_host = std::move(req.client_host);
  m.session_timeout_ms = req.session_timeout_ms;
  m.rebalance_timeout_ms = req.rebalance_timeout_ms;
  m.protocols = std::move(req.protocols);
  m.session_deadline = now + milliseconds(m.session_timeout_ms);
  m.awaiting_join = waiter;
  if (m.instance_id) static_members_[*m.instance_id] = member_id;
  if (!leader_) leader_ = member_id;
  members_.emplace(member_id, std::move(m));

  if (state_ == group_state::preparing_rebalance) {
    // An initial rebalance waits a little longer for each newcomer.
    if (initial_delay_until_ > now)
      initial_delay_until_ = std::min(now + options_.initial_rebalance_delay, rebalance_deadline_);
    maybe_complete_join(now);
  } else {
    prepare_rebalance(now, state_ == group_state::empty);
  }
}

void classic_group::update_member(classic_member& m, join_request& req, waiter_id waiter, time_point now) {
  const bool changed = m.protocols != req.protocols;
  m.client_id = req.client_id;
  m.client_host = req.client_host;
  m.session_timeout_ms = req.session_timeout_ms;
  m.rebalance_timeout_ms = req.rebalance_timeout_ms;
  m.protocols = std::move(req.protocols);
  m.session_deadline = now + milliseconds(m.session_timeout_ms);
  if (m.awaiting_join)
    answer_join(std::exchange(m.awaiting_join, no_waiter), join_error(error_code::rebalance_in_progress, m.member_id));

  switch (state_) {
    case group_state::preparing_rebalance:
      m.awaiting_join = waiter;
      maybe_complete_join(now);
      return;
    case group_state::completing_rebalance:
      if (!changed) return answer_join(waiter, current_join_result(m));  // a lost JoinGroup answer, asked again
      break;
    case group_state::stable:
      if (!changed && leader_ != m.member_id) return answer_join(waiter, current_join_result(m));
      break;
    case group_state::empty:  // a member of an empty group cannot be known
      break;
  }
  m.awaiting_join = waiter;
  prepare_rebalance(now, false);
}

join_result classic_group::current_join_result(const classic_member& m) const {
  join_result r;
  r.generation = generation_;
  r.protocol_type = protocol_type_;
  r.protocol_name = protocol_;
  r.leader = leader_.value_or("");
  r.member_id = m.member_id;
  if (leader_ == m.member_id && protocol_) {
    for (const auto& [id, other] : members_) {
      const auto* md = other.metadata_for(*protocol_);
      r.members.push_back({id, other.instance_id, md ? *md : std::string()});
    }
  }
  return r;
}

void classic_group::prepare_rebalance(time_point now, bool initial) {
  if (state_ == group_state::completing_rebalance) fail_pending_syncs(error_code::rebalance_in_progress);
  std::int32_t longest = 0;
  for (const auto& [id, m] : members_) longest = std::max(longest, m.rebalance_timeout_ms);
  state_ = group_state::preparing_rebalance;
  rebalance_deadline_ = now + milliseconds(longest);
  initial_delay_until_ = initial ? std::min(now + options_.initial_rebalance_delay, rebalance_deadline_) : time_point{};
  maybe_complete_join(now);
}

bool classic_group::all_joined() const {
  return pending_members_.empty() &&
         std::all_of(members_.begin(), members_.end(),
                     [](const auto& m) { return m.second.awaiting_join != no_waiter; });
}

bool classic_group::join_complete(time_point now) const {
  return state_ == group_state::preparing_rebalance &&
         ((all_joined() && now >= initial_delay_until_) || now >= rebalance_deadline_);
}

void classic_group::maybe_complete_join(time_point now) {
  if (join_complete(now)) complete_join(now);
}

std::optional<std::string> classic_group::select_protocol() const {
  // Kafka's rule: each member votes for the first of its protocols that every
  // member supports; the most votes wins (ties: the earliest candidate).
  std::vector<std::string> candidates;
  if (members_.empty()) return std::nullopt;
  for (const auto& [name, md] : members_.begin()->second.protocols) {
    if (std::all_of(members_.begin(), members_.end(),
                    [&](const auto& m) { return m.second.metadata_for(name) != nullptr; }))
      candidates.push_back(name);
  }
  if (candidates.empty()) return std::nullopt;
  std::map<std::string, int> votes;
  for (const auto& [id, m] : members_)
    for (const auto& [name, md] : m.protocols)
      if (std::find(candidates.begin(), candidates.end(), name) != candidates.end()) {
        ++votes[name];
        break;
      }
  std::string best = candidates.front();
  for (const auto& c : candidates)
    if (votes[c] > votes[best]) best = c;
  return best;
}

void classic_group::complete_join(time_point now) {
  // Members that did not rejoin in time are out.
  for (auto it = members_.begin(); it != members_.end();) {
    if (it->second.awaiting_join) {
      ++it;
      continue;
    }
    if (it->second.instance_id) static_members_.erase(*it->second.instance_id);
    if (leader_ == it->first) leader_.reset();
    it = members_.erase(it);
  }
  if (now >= rebalance_deadline_) pending_members_.clear();
  ++generation_;
  if (members_.empty()) {
    state_ = group_state::empty;
    protocol_.reset();
    leader_.reset();
    effects_.metadata_changed = true;  // Kafka stores the empty generation
    return;
  }
  if (!leader_) leader_ = members_.begin()->first;
  protocol_ = select_protocol();
  state_ = group_state::completing_rebalance;
  for (auto& [id, m] : members_) {
    const waiter_id waiter = std::exchange(m.awaiting_join, no_waiter);
    m.assignment.clear();
    m.session_deadline = now + milliseconds(m.session_timeout_ms);
    answer_join(waiter, current_join_result(m));
  }
}

void classic_group::sync(sync_request req, waiter_id waiter, time_point now) {
  if (state_ == group_state::empty) return answer_sync(waiter, sync_error(error_code::unknown_member_id));
  if (auto e = check_member(req.member_id, req.instance_id); e != error_code::none)
    return answer_sync(waiter, sync_error(e));
  if (req.generation != generation_) return answer_sync(waiter, sync_error(error_code::illegal_generation));
  if ((req.protocol_type && *req.protocol_type != protocol_type_) ||
      (req.protocol_name && *req.protocol_name != protocol_.value_or("")))
    return answer_sync(waiter, sync_error(error_code::inconsistent_group_protocol));
  auto& m = members_.at(req.member_id);
  m.session_deadline = now + milliseconds(m.session_timeout_ms);

  switch (state_) {
    case group_state::preparing_rebalance:
      return answer_sync(waiter, sync_error(error_code::rebalance_in_progress));
    case group_state::stable:
      return answer_sync(waiter, sync_answer(protocol_type_, protocol_, m.assignment));
    case group_state::completing_rebalance:
      break;
    case group_state::empty:  // refused above
      return answer_sync(waiter, sync_error(error_code::unknown_member_id));
  }
  if (m.awaiting_sync)
    answer_sync(std::exchange(m.awaiting_sync, no_waiter), sync_error(error_code::rebalance_in_progress));
  m.awaiting_sync = waiter;
  if (leader_ != req.member_id) return;

  // The leader's assignment: the group is stable with it once it is
  // stored, and every member waiting gets its part then.
  for (auto& [id, member] : members_) {
    auto a = req.assignments.find(id);
    member.assignment = a == req.assignments.end() ? std::string() : a->second;
  }
  state_ = group_state::stable;
  effects_.metadata_changed = true;
  for (auto& [id, member] : members_)
    if (member.awaiting_sync)
      answer_sync(std::exchange(member.awaiting_sync, no_waiter),
                  sync_answer(protocol_type_, protocol_, member.assignment));
}

void classic_group::write_failed(const classic_effects& answered, time_point now) {
  std::set<waiter_id> gone;
  for (const auto& [waiter, answer] : answered.joins) gone.insert(waiter);
  for (const auto& [waiter, answer] : answered.syncs) gone.insert(waiter);
  for (auto& [id, m] : members_) {
    if (gone.count(m.awaiting_join)) m.awaiting_join = no_waiter;
    if (gone.count(m.awaiting_sync)) m.awaiting_sync = no_waiter;
  }
  if (state_ == group_state::completing_rebalance) prepare_rebalance(now, false);
}

void classic_group::fail_pending_syncs(error_code e) {
  for (auto& [id, m] : members_)
    if (m.awaiting_sync) answer_sync(std::exchange(m.awaiting_sync, no_waiter), sync_error(e));
}

error_code classic_group::heartbeat(const std::string& member_id, const std::optional<std::string>& instance_id,
                                    std::int32_t generation, time_point now) {
  if (state_ == group_state::empty) return error_code::unknown_member_id;
  if (auto e = check_member(member_id, instance_id); e != error_code::none) return e;
  auto& m = members_.at(member_id);
  if (generation != generation_) return error_code::illegal_generation;
  m.session_deadline = now + milliseconds(m.session_timeout_ms);
  if (state_ == group_state::preparing_rebalance) return error_code::rebalance_in_progress;
  return error_code::none;
}

error_code classic_group::leave(const std::string& member_id, const std::optional<std::string>& instance_id,
                                time_point now) {
  std::string id = member_id;
  if (id.empty() && instance_id) {  // LeaveGroup v3+ may name only the instance
    auto it = static_members_.find(*instance_id);
    if (it == static_members_.end()) return error_code::unknown_member_id;
    id = it->second;
  }
  if (pending_members_.erase(id)) {
    maybe_complete_join(now);
    return error_code::none;
  }
  if (auto e = check_member(id, instance_id); e != error_code::none) return e;
  remove_member(id, now);
  return error_code::none;
}

void classic_group::remove_member(const std::string& member_id, time_point now) {
  auto it = members_.find(member_id);
  if (it == members_.end()) return;
  classic_member m = std::move(it->second);
  members_.erase(it);
  if (m.instance_id) static_members_.erase(*m.instance_id);
  if (leader_ == member_id) leader_ = members_.empty() ? std::nullopt : std::optional(members_.begin()->first);
  if (m.awaiting_join) answer_join(m.awaiting_join, join_error(error_code::unknown_member_id, member_id));
  if (m.awaiting_sync) answer_sync(m.awaiting_sync, sync_error(error_code::unknown_member_id));
  switch (state_) {
    case group_state::preparing_rebalance:
      maybe_complete_join(now);
      break;
    case group_state::completing_rebalance:
    case group_state::stable:
      prepare_rebalance(now, false);
      break;
    case group_state::empty:  // has no member to remove
      break;
  }
}

error_code classic_group::validate_commit(const std::string& member_id, const std::optional<std::string>& instance_id,
                                          std::int32_t generation) const {
  // A commit outside any generation (standalone consumer, admin tools) is
  // fine while nobody is a member.
  if (generation < 0 && member_id.empty() && state_ == group_state::empty) return error_code::none;
  if (auto e = check_member(member_id, instance_id); e != error_code::none) return e;
  if (state_ == group_state::completing_rebalance) return error_code::rebalance_in_progress;
  if (generation != generation_) return error_code::illegal_generation;
  return error_code::none;
}

error_code classic_group::validate_txn_commit(const std::string& member_id,
                                              const std::optional<std::string>& instance_id,
                                              std::int32_t generation) const {
  if (generation < 0 && state_ == group_state::empty) return error_code::none;
  if (generation < 0 && member_id.empty() && !instance_id) return error_code::none;
  if (auto e = check_member(member_id, instance_id); e != error_code::none) return e;
  if (generation != generation_) return error_code::illegal_generation;
  return error_code::none;
}

void classic_group::tick(time_point now) {
  std::erase_if(pending_members_, [&](const auto& p) { return p.second <= now; });
  // A member blocked in JoinGroup or SyncGroup cannot heartbeat: its session
  // waits (Kafka's shouldKeepAlive).
  std::vector<std::string> expired;
  for (const auto& [id, m] : members_)
    if (!m.awaiting_join && !m.awaiting_sync && m.session_deadline <= now) expired.push_back(id);
  for (const auto& id : expired) remove_member(id, now);
  maybe_complete_join(now);
}

bool classic_group::tick_due(time_point now) const {
  for (const auto& [id, deadline] : pending_members_)
    if (deadline <= now) return true;
  for (const auto& [id, m] : members_)
    if (!m.awaiting_join && !m.awaiting_sync && m.session_deadline <= now) return true;
  return join_complete(now);
}

void classic_group::restore(std::string protocol_type, std::int32_t generation, std::optional<std::string> protocol,
                            std::optional<std::string> leader, std::vector<classic_member> members, time_point now) {
  protocol_type_ = std::move(protocol_type);
  generation_ = generation;
  protocol_ = std::move(protocol);
  leader_ = std::move(leader);
  members_.clear();
  static_members_.clear();
  for (auto& m : members) {
    m.session_deadline = now + milliseconds(m.session_timeout_ms);
    if (m.instance_id) static_members_[*m.instance_id] = m.member_id;
    std::string id = m.member_id;
    members_.emplace(std::move(id), std::move(m));
  }
  state_ = members_.empty() ? group_state::empty : group_state::stable;
  if (members_.empty()) leader_.reset();
}

void classic_group::adopt(std::int32_t generation, std::vector<classic_member> members, time_point now) {
  restore("consumer", generation, std::nullopt, std::nullopt, std::move(members), now);
  if (!members_.empty()) leader_ = members_.begin()->first;
  protocol_ = select_protocol();
  effects_.metadata_changed = true;
  if (!members_.empty()) prepare_rebalance(now, false);
}

void classic_group::answer_waiting(error_code e) {
  for (auto& [id, m] : members_) {
    if (m.awaiting_join) answer_join(std::exchange(m.awaiting_join, no_waiter), join_error(e, id));
    if (m.awaiting_sync) answer_sync(std::exchange(m.awaiting_sync, no_waiter), sync_error(e));
  }
}

std::set<std::string> classic_group::subscribed_topics() const {
  std::set<std::string> topics;
  if (protocol_type_ != "consumer" || !protocol_) return topics;
  for (const auto& [id, m] : members_)
    if (const auto* md = m.metadata_for(*protocol_))
      for (auto& t : subscription_topics(*md)) topics.insert(std::move(t));
  return topics;
}

}  // namespace sluice::group_coordinator
