#include "services/gateway/fetch_sessions.h"

#include <limits>

namespace sluice::gateway {

using protocol::error_code;
using partition_answer = protocol::fetch_response::partition_data;

std::int32_t next_fetch_epoch(std::int32_t epoch) {
  if (epoch < 0) return final_fetch_epoch;
  if (epoch == std::numeric_limits<std::int32_t>::max()) return 1;
  return epoch + 1;
}

namespace {

/// A session is by ids or by names throughout, so one string names a topic
/// inside it: the id's 16 bytes, or the name.
using partition_index_key = std::pair<std::string, std::int32_t>;

partition_index_key index_key(const fetch_partition_key& key, bool uses_topic_ids) {
  if (uses_topic_ids)
    return {std::string(reinterpret_cast<const char*>(key.topic_id.bytes.data()), key.topic_id.bytes.size()),
            key.partition};
  return {key.topic, key.partition};
}

bool has_records(const partition_answer& answer) { return answer.records && !answer.records->empty(); }

}  // namespace

/// A partition of a session: the fetch parameters the client last sent, and
/// the leader's high watermark and log start offset as last answered.
struct cached_partition {
  fetch_wanted wanted;
  std::int64_t high_watermark = -1;
  std::int64_t log_start_offset = -1;

  /// Kafka's CachedPartition.maybeUpdateResponseData: whether an incremental
  /// answer must name the partition (records, a changed high watermark or
  /// log start offset, an error, a preferred replica, a diverging epoch);
  /// remembers what it answers.
  bool must_answer(const partition_answer& answer) {
    bool must = has_records(answer);
    if (high_watermark != answer.high_watermark) {
      must = true;
      high_watermark = answer.high_watermark;
    }
    if (log_start_offset != answer.log_start_offset) {
      must = true;
      log_start_offset = answer.log_start_offset;
    }
    if (answer.preferred_read_replica != -1) must = true;
    if (answer.error_code != 0) {
      high_watermark = -1;  // so the first answer after the error names the partition again
      must = true;
    }
    if (answer.diverging_epoch.epoch != -1) must = true;
    return must;
  }
};

/// One fetch session (Kafka's FetchSession). Guarded by the cache's mutex;
/// an incremental context keeps it alive past an eviction.
struct fetch_session {
  std::int32_t id = no_fetch_session;
  bool uses_topic_ids = false;
  std::int64_t created_ms = 0;
  std::int64_t last_used_ms = 0;
  std::int32_t epoch = 0;  // the epoch the next incremental request must carry
  // Read order: a partition that answered records moves to the back, so
  // every partition gets its turn at the response's size limit.
  std::list<cached_partition> partitions;
  std::map<partition_index_key, std::list<cached_partition>::iterator> index;
  // The size when last touched (the eviction key), or npos before the first touch.
  std::size_t cached_size = static_cast<std::size_t>(-1);

  cached_partition* find(const fetch_partition_key& key) {
    auto it = index.find(index_key(key, uses_topic_ids));
    return it == index.end() ? nullptr : &*it->second;
  }

  void add(cached_partition part) {
    auto key = index_key(part.wanted.key, uses_topic_ids);
    partitions.push_back(std::move(part));
    index.emplace(std::move(key), std::prev(partitions.end()));
  }

  /// Kafka's FetchSession.update: new partitions join at the back, known
  /// ones take the request's parameters, forgotten ones leave.
  void update(std::vector<fetch_wanted>& requested, const std::vector<fetch_partition_key>& forgotten) {
    for (auto& wanted : requested) {
      if (auto* known = find(wanted.key))
        known->wanted.params = wanted.params;
      else
        add({.wanted = wanted});
    }
    for (const auto& key : forgotten) {
      auto it = index.find(index_key(key, uses_topic_ids));
      if (it == index.end()) continue;
      partitions.erase(it->second);
      index.erase(it);
    }
  }

  void move_to_back(const fetch_partition_key& key) {
    auto it = index.find(index_key(key, uses_topic_ids));
    if (it != index.end()) partitions.splice(partitions.end(), partitions, it->second);
  }
};

fetch_session_cache::fetch_session_cache(std::size_t max_sessions, std::int64_t eviction_ms, std::uint32_t seed)
    : max_sessions_(max_sessions), eviction_ms_(eviction_ms), random_(seed) {}

std::size_t fetch_session_cache::size() const {
  std::lock_guard lock(mutex_);
  return sessions_.size();
}

std::size_t fetch_session_cache::cached_partitions() const {
  std::lock_guard lock(mutex_);
  return partitions_;
}

std::optional<std::int32_t> fetch_session_cache::epoch_of(std::int32_t id) const {
  std::lock_guard lock(mutex_);
  auto it = sessions_.find(id);
  if (it == sessions_.end()) return std::nullopt;
  return it->second->epoch;
}

fetch_context fetch_session_cache::open(std::int32_t session_id, std::int32_t epoch, bool uses_topic_ids,
                                        std::vector<fetch_wanted> requested,
                                        const std::vector<fetch_partition_key>& forgotten, std::int64_t now_ms) {
  using kind = fetch_context::kind;
  std::lock_guard lock(mutex_);
  if (epoch == initial_fetch_epoch || epoch == final_fetch_epoch) {
    // A full request closes the session it names, whatever comes next.
    if (session_id != no_fetch_session)
      if (auto it = sessions_.find(session_id); it != sessions_.end()) remove(*it->second);
    fetch_context context(epoch == final_fetch_epoch ? kind::sessionless : kind::full, this);
    context.partitions_ = std::move(requested);
    context.uses_topic_ids_ = uses_topic_ids;
    return context;
  }
  auto session_error = [this](error_code error) {
    fetch_context context(kind::session_error, this);
    context.error_ = error;
    return context;
  };
  auto it = sessions_.find(session_id);
  if (it == sessions_.end()) return session_error(error_code::fetch_session_id_not_found);
  auto session = it->second;
  if (session->epoch != epoch) return session_error(error_code::invalid_fetch_session_epoch);
  if (session->uses_topic_ids != uses_topic_ids) return session_error(error_code::fetch_session_topic_id_error);

  session->update(requested, forgotten);
  if (session->partitions.empty()) {
    // Nothing left to follow: the session closes and this one is answered
    // like a sessionless fetch.
    remove(*session);
    fetch_context context(kind::sessionless, this);
    context.partitions_ = std::move(requested);
    context.uses_topic_ids_ = uses_topic_ids;
    return context;
  }
  touch(*session, now_ms);
  session->epoch = next_fetch_epoch(session->epoch);
  fetch_context context(kind::incremental, this);
  context.partitions_.reserve(session->partitions.size());
  for (const auto& part : session->partitions) context.partitions_.push_back(part.wanted);
  context.uses_topic_ids_ = uses_topic_ids;
  context.session_ = std::move(session);
  context.request_epoch_ = epoch;
  return context;
}

fetch_reply fetch_context::finish(std::span<const partition_answer> answers, std::int64_t now_ms) {
  fetch_reply reply;
  auto everything = [&] {
    reply.included.resize(partitions_.size());
    for (std::size_t i = 0; i < partitions_.size(); ++i) reply.included[i] = i;
  };
  switch (kind_) {
    case kind::session_error:
      reply.error = error_;
      return reply;
    case kind::sessionless:
      everything();
      return reply;
    case kind::full:
      everything();
      reply.session_id = cache_->create_session(partitions_, answers, uses_topic_ids_, now_ms);
      return reply;
    case kind::incremental:
      return cache_->finish_incremental(*session_, request_epoch_, partitions_, answers);
  }
  return reply;
}

std::int32_t fetch_session_cache::create_session(std::span<const fetch_wanted> wanted,
                                                 std::span<const partition_answer> answers, bool uses_topic_ids,
                                                 std::int64_t now_ms) {
  std::lock_guard lock(mutex_);
  if (sessions_.size() >= max_sessions_ && !try_evict(wanted.size(), now_ms)) return no_fetch_session;
  auto session = std::make_shared<fetch_session>();
  session->id = new_session_id();
  session->uses_topic_ids = uses_topic_ids;
  session->created_ms = now_ms;
  session->last_used_ms = now_ms;
  session->epoch = next_fetch_epoch(initial_fetch_epoch);
  for (std::size_t i = 0; i < wanted.size() && i < answers.size(); ++i) {
    // A request naming a partition twice: Kafka's map keeps the last one.
    if (auto* known = session->find(wanted[i].key)) {
      known->wanted = wanted[i];
      continue;
    }
    session->add({.wanted = wanted[i], .high_watermark = answers[i].high_watermark,
                  .log_start_offset = answers[i].log_start_offset});
  }
  sessions_.emplace(session->id, session);
  touch(*session, now_ms);
  return session->id;
}

fetch_reply fetch_session_cache::finish_incremental(fetch_session& session, std::int32_t request_epoch,
                                                    std::span<const fetch_wanted> read,
                                                    std::span<const partition_answer> answers) {
  std::lock_guard lock(mutex_);
  fetch_reply reply;
  reply.session_id = session.id;
  // Another request of the session came in since this one was opened (a
  // duplicate): only one of them may move the session on.
  if (session.epoch != next_fetch_epoch(request_epoch)) {
    reply.error = error_code::invalid_fetch_session_epoch;
    return reply;
  }
  for (std::size_t i = 0; i < read.size() && i < answers.size(); ++i) {
    auto* cached = session.find(read[i].key);
    if (cached == nullptr) continue;  // forgotten meanwhile: cannot happen at the right epoch
    if (!cached->must_answer(answers[i])) continue;
    reply.included.push_back(i);
    if (has_records(answers[i])) session.move_to_back(read[i].key);
  }
  return reply;
}

bool fetch_session_cache::try_evict(std::size_t new_size, std::int64_t now_ms) {
  if (by_last_use_.empty()) return false;
  auto [last_used, stale_id] = *by_last_use_.begin();
  if (now_ms - last_used > eviction_ms_) {
    remove(*sessions_.at(stale_id));
    return true;
  }
  if (evictable_.empty()) return false;
  // Kafka compares (size, id) with the new session's (size, 0): only a
  // strictly larger session evicts.
  auto [size, id] = *evictable_.begin();
  if (new_size <= size) return false;
  remove(*sessions_.at(id));
  return true;
}

void fetch_session_cache::remove(const fetch_session& session) {
  by_last_use_.erase({session.last_used_ms, session.id});
  if (session.cached_size != static_cast<std::size_t>(-1)) {
    evictable_.erase({session.cached_size, session.id});
    partitions_ -= session.cached_size;
  }
  auto id = session.id;  // the map may hold the only reference to `session`
  sessions_.erase(id);
}

void fetch_session_cache::touch(fetch_session& session, std::int64_t now_ms) {
  by_last_use_.erase({session.last_used_ms, session.id});
  session.last_used_ms = now_ms;
  by_last_use_.emplace(session.last_used_ms, session.id);
  if (session.cached_size != static_cast<std::size_t>(-1)) {
    evictable_.erase({session.cached_size, session.id});
    partitions_ -= session.cached_size;
  }
  session.cached_size = session.partitions.size();
  // A new session is safe from size-based eviction for eviction_ms, so a
  // flood of new clients cannot push out the established ones at once.
  if (now_ms - session.created_ms > eviction_ms_) evictable_.emplace(session.cached_size, session.id);
  partitions_ += session.cached_size;
}

std::int32_t fetch_session_cache::new_session_id() {
  std::uniform_int_distribution<std::int32_t> ids(1, std::numeric_limits<std::int32_t>::max());
  std::int32_t id;
  do id = ids(random_);
  while (sessions_.contains(id));
  return id;
}

}  // namespace sluice::gateway
