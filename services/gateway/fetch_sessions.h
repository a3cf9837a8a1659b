#pragma once
// Incremental fetch sessions (KIP-227), kept per gateway as Kafka's
// FetchSession.scala keeps them per broker. A client's fetches to one broker
// id reach one gateway connection, so the gateway that opened a session sees
// every later request of it.
//
// A Fetch request's (session id, epoch) says what it is (Kafka's FetchMetadata):
// - epoch -1: a full fetch without a session (closing session id, if any);
// - epoch 0: a full fetch that opens a session (closing session id, if any);
//   the answer names the new session, or 0 when the cache has no room;
// - epoch > 0: the next request of session id: it names only the partitions
//   that changed (added, or with new fetch parameters) and those to forget;
//   the answer names only the partitions with something new.
//
// The cache's rules are Kafka's: at most `max_sessions`; a new session may
// evict the least recently used one if it has been idle for longer than
// `eviction_ms`, else the smallest session older than `eviction_ms`, if the
// new one has more partitions. Every session here is a consumer's: the
// gateway serves no followers, so Kafka's privileged sessions do not arise.
#include <cstddef>
#include <cstdint>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <span>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/protocol/error_code.h"
#include "common/protocol/messages/fetch.h"

namespace sluice::gateway {

/// Kafka's FetchMetadata values.
inline constexpr std::int32_t no_fetch_session = 0;
inline constexpr std::int32_t initial_fetch_epoch = 0;
inline constexpr std::int32_t final_fetch_epoch = -1;

/// The epoch after `epoch`: -1 stays -1, and INT32_MAX wraps to 1.
std::int32_t next_fetch_epoch(std::int32_t epoch);

/// A partition as a Fetch request names it: by topic id from v13 on (`topic`
/// then only informs), by name before (`topic_id` zero).
struct fetch_partition_key {
  protocol::uuid topic_id;
  std::string topic;
  std::int32_t partition = 0;
};

/// One partition a request asks for, or one a session reads.
struct fetch_wanted {
  fetch_partition_key key;
  protocol::fetch_request::fetch_partition params;
};

/// What the gateway sends once every partition of a context was read.
struct fetch_reply {
  protocol::error_code error = protocol::error_code::none;
  std::int32_t session_id = no_fetch_session;
  std::vector<std::size_t> included;  // indices into the context's partitions(), in answer order
};

class fetch_session_cache;
struct fetch_session;

/// What one Fetch request is under the session rules (Kafka's FetchContext):
/// the partitions to read and, once read, which of them to answer. Made by
/// fetch_session_cache::open; finish() once.
class fetch_context {
 public:
  enum class kind { session_error, sessionless, full, incremental };

  kind type() const noexcept { return kind_; }
  /// The partitions to read, in answer order: the request's for a full or
  /// sessionless fetch, the whole session's for an incremental one.
  const std::vector<fetch_wanted>& partitions() const noexcept { return partitions_; }
  /// A session error answers at once, with no partitions.
  protocol::error_code error() const noexcept { return error_; }

  /// With the answer of every partition (same order as partitions()), what
  /// to send (Kafka's updateAndGenerateResponseData): a full fetch opens its
  /// session here, an incremental one drops the partitions with nothing new
  /// and remembers the rest's high watermark and log start offset.
  fetch_reply finish(std::span<const protocol::fetch_response::partition_data> answers, std::int64_t now_ms);

 private:
  friend class fetch_session_cache;
  fetch_context(kind k, fetch_session_cache* cache) : kind_(k), cache_(cache) {}

  kind kind_;
  fetch_session_cache* cache_;
  protocol::error_code error_ = protocol::error_code::none;
  std::vector<fetch_wanted> partitions_;
  bool uses_topic_ids_ = false;
  std::shared_ptr<fetch_session> session_;  // incremental only
  std::int32_t request_epoch_ = 0;           // incremental only
};

/// The gateway's fetch sessions, shared by all its connections. Thread-safe
/// (one mutex: a session's work under it is a walk over its partitions).
/// Owned by main(); outlives every connection and partition-server reply.
class fetch_session_cache {
 public:
  /// Kafka's MIN_INCREMENTAL_FETCH_SESSION_EVICTION_MS.
  static constexpr std::int64_t default_eviction_ms = 120'000;

  explicit fetch_session_cache(std::size_t max_sessions, std::int64_t eviction_ms = default_eviction_ms,
                               std::uint32_t seed = std::random_device{}());

  /// Kafka's FetchManager.newContext for a request with this session id and
  /// epoch. `uses_topic_ids`: the request is Fetch v13+. `requested`: its
  /// partitions in request order; `forgotten`: its forgotten_topics_data.
  fetch_context open(std::int32_t session_id, std::int32_t epoch, bool uses_topic_ids,
                     std::vector<fetch_wanted> requested, const std::vector<fetch_partition_key>& forgotten,
                     std::int64_t now_ms);

  std::size_t size() const;
  /// Partitions over all sessions, as last counted (Kafka's NumIncrementalFetchPartitionsCached).
  std::size_t cached_partitions() const;
  /// The epoch session `id` expects next, or nullopt when it is not cached.
  std::optional<std::int32_t> epoch_of(std::int32_t id) const;

 private:
  friend class fetch_context;
  using session_ptr = std::shared_ptr<fetch_session>;

  std::int32_t create_session(std::span<const fetch_wanted> wanted,
                              std::span<const protocol::fetch_response::partition_data> answers,
                              bool uses_topic_ids, std::int64_t now_ms);
  fetch_reply finish_incremental(fetch_session& session, std::int32_t request_epoch,
                                 std::span<const fetch_wanted> read,
                                 std::span<const protocol::fetch_response::partition_data> answers);
  bool try_evict(std::size_t new_size, std::int64_t now_ms);
  void remove(const fetch_session& session);
  void touch(fetch_session& session, std::int64_t now_ms);
  std::int32_t new_session_id();

  const std::size_t max_sessions_;
  const std::int64_t eviction_ms_;
  mutable std::mutex mutex_;
  std::unordered_map<std::int32_t, session_ptr> sessions_;
  std::set<std::pair<std::int64_t, std::int32_t>> by_last_use_;  // (last used ms, id)
  std::set<std::pair<std::size_t, std::int32_t>> evictable_;     // (size, id) of sessions older than eviction_ms
  std::size_t partitions_ = 0;
  std::mt19937 random_;
};

}  // namespace sluice::gateway
