#pragma once
// What a group API handler gets for one forwarded Kafka request: the body,
// who sent it, the shards this instance serves, and the way to answer
// (once, possibly later: a JoinGroup waits for its rebalance).
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/protocol/wire.h"
#include "services/group-coordinator/consumer/consumer_group.h"
#include "services/group-coordinator/group_clock.h"
#include "services/group-coordinator/group_options.h"
#include "services/group-coordinator/group_shard.h"
#include "services/group-coordinator/txn_offsets_checker.h"
#include "services/group-coordinator/txn/transaction_directory.h"

namespace sluice::group_coordinator {

/// The shard that holds a group on this instance, or why there is none.
struct shard_lookup {
  group_shard* shard = nullptr;
  error_code error = error_code::none;  // not_coordinator, coordinator_load_in_progress
};

/// The shards this instance serves; implemented by the service.
class shard_directory {
 public:
  virtual ~shard_directory() = default;
  virtual shard_lookup find(const std::string& group) = 0;
  /// The shard of __consumer_offsets partition `partition`, when it is ours
  /// and loaded (transaction markers name partitions, not groups).
  virtual shard_lookup find_partition(std::int32_t partition) = 0;
  /// Every shard that is loaded and served here.
  virtual std::vector<group_shard*> loaded() = 0;
};

struct api_context {
  std::int16_t version = 0;
  std::shared_ptr<const std::vector<std::byte>> body;
  std::string client_id;
  std::string client_host;
  shard_directory* shards = nullptr;
  txn::transaction_directory* txns = nullptr;  // the transaction coordinator's shards
  txn_offsets_checker* txn_checker = nullptr;   // TxnOffsetCommit's verification with the transaction coordinator
  const topic_catalog* topics = nullptr;
  const group_options* options = nullptr;
  time_point now{};
  std::function<void(std::vector<std::byte>)> send;  // the encoded response body

  /// Decodes the body at the request's version; throws protocol::decode_error.
  template <class Request>
  Request decode() const {
    protocol::reader in{std::span<const std::byte>(*body)};
    Request request;
    request.decode(in, version);
    return request;
  }

  template <class Response>
  void respond(const Response& response) const {
    protocol::writer out;
    response.encode(out, version);
    send(out.take());
  }
};

inline std::int16_t code(error_code e) { return static_cast<std::int16_t>(e); }

/// A partition of an OffsetCommit or TxnOffsetCommit as the offset to store
/// (committed at `commit_timestamp`), or nullopt when its metadata is over
/// offset.metadata.max.bytes (OFFSET_METADATA_TOO_LARGE).
template <class Partition>
std::optional<offset_value> offset_to_commit(const Partition& p, const group_options& options,
                                             std::int64_t commit_timestamp) {
  std::string metadata = p.committed_metadata.value_or("");
  if (static_cast<std::int32_t>(metadata.size()) > options.max_metadata_size) return std::nullopt;
  offset_value v;
  v.offset = p.committed_offset;
  v.leader_epoch = p.committed_leader_epoch;
  v.metadata = std::move(metadata);
  v.commit_timestamp = commit_timestamp;
  return v;
}

/// For the APIs that describe several groups: one entry per id asked, in
/// order, with the id; `describe(shard, id, entry)` fills it when this
/// instance serves the group, else it carries why not.
template <class Entry, class Describe>
void describe_each(const api_context& ctx, const std::vector<std::string>& ids, std::vector<Entry>& entries,
                   Describe describe) {
  for (const auto& id : ids) {
    auto& entry = entries.emplace_back();
    entry.group_id = id;
    auto found = ctx.shards->find(id);
    if (found.shard) describe(*found.shard, id, entry);
    else entry.error_code = code(found.error);
  }
}

// One handler per Kafka API, each in api/<api>.cc.
void serve_join_group(const api_context& ctx);
void serve_sync_group(const api_context& ctx);
void serve_heartbeat(const api_context& ctx);
void serve_leave_group(const api_context& ctx);
void serve_offset_commit(const api_context& ctx);
void serve_txn_offset_commit(const api_context& ctx);
void serve_offset_fetch(const api_context& ctx);
void serve_describe_groups(const api_context& ctx);
void serve_list_groups(const api_context& ctx);
void serve_delete_groups(const api_context& ctx);
void serve_offset_delete(const api_context& ctx);
void serve_consumer_group_heartbeat(const api_context& ctx);
void serve_consumer_group_describe(const api_context& ctx);
// The transaction coordinator's APIs.
void serve_init_producer_id(const api_context& ctx);
void serve_add_partitions_to_txn(const api_context& ctx);
void serve_add_offsets_to_txn(const api_context& ctx);
void serve_end_txn(const api_context& ctx);
void serve_describe_transactions(const api_context& ctx);
void serve_list_transactions(const api_context& ctx);

/// Before these versions a client knows INVALID_PRODUCER_EPOCH, not
/// PRODUCER_FENCED, for the same condition (Kafka's KafkaApis maps it).
inline error_code fenced_for(std::int16_t version, std::int16_t first_version_knowing_fenced, error_code e) {
  return e == error_code::producer_fenced && version < first_version_knowing_fenced ? error_code::invalid_producer_epoch
                                                                                    : e;
}

/// Runs the handler for `api_key`; false when it is not a group API.
bool serve(std::int16_t api_key, const api_context& ctx);

}  // namespace sluice::group_coordinator
