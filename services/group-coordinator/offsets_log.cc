#include "services/group-coordinator/offsets_log.h"

#include <chrono>

#include "common/cluster/group_shards.h"
#include "common/messaging/methods.h"
#include "common/proto/partition.pb.h"
#include "common/protocol/record_batch.h"
#include "services/group-coordinator/group_clock.h"

namespace sluice::group_coordinator {

namespace {

namespace pv1 = sluice::partition::v1;

constexpr auto append_timeout = std::chrono::milliseconds(5000);
constexpr auto read_limit = 8 * 1024 * 1024;
// Appends merged into one produce stop at about this many key and value
// bytes, well under __consumer_offsets' max.message.bytes (1 MiB default).
constexpr std::size_t merge_limit_bytes = 256 * 1024;

std::size_t record_bytes(const std::vector<record_log::record>& records) {
  std::size_t n = 0;
  for (const auto& r : records) n += r.key.size() + (r.value ? r.value->size() : 0);
  return n;
}

/// Kafka's mapping of a failed offsets-topic append to what the group
/// client sees (GroupMetadataManager): retriable coordinator errors.
error_code commit_error(pv1::PartitionError e) {
  switch (e) {
    case pv1::PARTITION_OK: return error_code::none;
    case pv1::NOT_LEADER:
    case pv1::FENCED_LEADER_EPOCH:
    case pv1::GROUP_SHARD_EPOCH_MISMATCH:  // another instance owns it now
    case pv1::STORAGE_ERROR:               // KAFKA_STORAGE_ERROR: the client finds the coordinator again and retries
      return error_code::not_coordinator;
    case pv1::MESSAGE_TOO_LARGE: return error_code::invalid_commit_offset_size;
    case pv1::UNKNOWN_PARTITION:
    case pv1::NOT_ENOUGH_REPLICAS:
    case pv1::NOT_ENOUGH_REPLICAS_AFTER_APPEND:
    case pv1::REQUEST_TIMED_OUT: return error_code::coordinator_not_available;
    // Our own records and requests are well formed, so these are faults a
    // retry cannot fix (a read past the log end is asked for only by
    // read(), which tells it apart).
    case pv1::CORRUPT_MESSAGE:
    case pv1::INVALID_RECORD:
    case pv1::OFFSET_OUT_OF_RANGE:
    case pv1::INVALID_TIMESTAMP:
    case pv1::UNKNOWN_LEADER_EPOCH:
    case pv1::UNSUPPORTED_COMPRESSION:
    case pv1::INVALID_REQUEST:
    // A TxnOffsetCommit's batch carries the producer: its errors pass to
    // the client as they are (Kafka's handleOperationException).
    case pv1::INVALID_PRODUCER_EPOCH: return error_code::invalid_producer_epoch;
    case pv1::PRODUCER_FENCED: return error_code::producer_fenced;
    case pv1::INVALID_TXN_STATE: return error_code::invalid_txn_state;
    case pv1::UNKNOWN_PRODUCER_ID: return error_code::unknown_producer_id;
    case pv1::INVALID_PRODUCER_ID_MAPPING: return error_code::invalid_producer_id_mapping;
    case pv1::TRANSACTION_ABORTABLE: return error_code::transaction_abortable;
    // Coordinator writes skip sequence checks; markers are not appends.
    case pv1::OUT_OF_ORDER_SEQUENCE_NUMBER:
    case pv1::TRANSACTION_COORDINATOR_FENCED:
    case pv1::PartitionError_INT_MIN_SENTINEL_DO_NOT_USE_:
    case pv1::PartitionError_INT_MAX_SENTINEL_DO_NOT_USE_: break;
  }
  return error_code::unknown_server_error;
}

/// A marker's outcome as Kafka's WriteTxnMarkers answers it for an offsets
/// partition (KafkaApis maps the group coordinator's NOT_COORDINATOR and
/// COORDINATOR_NOT_AVAILABLE to NOT_LEADER_OR_FOLLOWER: the transaction
/// coordinator retries once it finds the owner).
error_code marker_error(pv1::PartitionError e) {
  switch (e) {
    case pv1::PARTITION_OK: return error_code::none;
    case pv1::UNKNOWN_PARTITION:
    case pv1::NOT_LEADER:
    case pv1::FENCED_LEADER_EPOCH:
    case pv1::UNKNOWN_LEADER_EPOCH:
    case pv1::GROUP_SHARD_EPOCH_MISMATCH:  // another instance owns the shard now
      return error_code::not_leader_or_follower;
    case pv1::NOT_ENOUGH_REPLICAS: return error_code::not_enough_replicas;
    case pv1::NOT_ENOUGH_REPLICAS_AFTER_APPEND: return error_code::not_enough_replicas_after_append;
    case pv1::REQUEST_TIMED_OUT: return error_code::request_timed_out;
    case pv1::STORAGE_ERROR: return error_code::kafka_storage_error;
    case pv1::INVALID_PRODUCER_EPOCH: return error_code::invalid_producer_epoch;
    case pv1::PRODUCER_FENCED: return error_code::producer_fenced;
    case pv1::TRANSACTION_COORDINATOR_FENCED: return error_code::transaction_coordinator_fenced;
    case pv1::INVALID_TXN_STATE: return error_code::invalid_txn_state;
    case pv1::UNKNOWN_PRODUCER_ID: return error_code::unknown_producer_id;
    case pv1::INVALID_PRODUCER_ID_MAPPING: return error_code::invalid_producer_id_mapping;
    case pv1::TRANSACTION_ABORTABLE: return error_code::transaction_abortable;
    case pv1::OUT_OF_ORDER_SEQUENCE_NUMBER: return error_code::out_of_order_sequence_number;
    case pv1::CORRUPT_MESSAGE: return error_code::corrupt_message;
    case pv1::MESSAGE_TOO_LARGE: return error_code::message_too_large;
    case pv1::INVALID_RECORD: return error_code::invalid_record;
    case pv1::INVALID_REQUEST: return error_code::invalid_request;
    case pv1::OFFSET_OUT_OF_RANGE:
    case pv1::INVALID_TIMESTAMP:
    case pv1::UNSUPPORTED_COMPRESSION:
    case pv1::PartitionError_INT_MIN_SENTINEL_DO_NOT_USE_:
    case pv1::PartitionError_INT_MAX_SENTINEL_DO_NOT_USE_: break;
  }
  return error_code::unknown_server_error;
}

}  // namespace

offsets_log::offsets_log(cluster::cluster_client& cluster, post_fn post, std::string_view topic)
    : cluster_(cluster), post_(std::move(post)), topic_(topic) {}

std::shared_ptr<messaging::rpc_client> offsets_log::leader_client(std::int32_t partition) {
  auto view = cluster_.current();
  const auto* p = view->partition(topic_, partition);
  if (p == nullptr || p->leader() < 0) return nullptr;
  return servers_.client(*view, p->leader());
}

void offsets_log::append(std::int32_t partition, std::int64_t shard_epoch, std::vector<record> records,
                         std::function<void(error_code)> done) {
  enqueue(partition, {shard_epoch, std::move(records), std::move(done), std::monostate{}});
}

void offsets_log::append_transactional(std::int32_t partition, std::int64_t shard_epoch, txn_producer producer,
                                       std::vector<record> records, std::function<void(error_code)> done) {
  enqueue(partition, {shard_epoch, std::move(records), std::move(done), producer});
}

void offsets_log::write_marker(std::int32_t partition, std::int64_t shard_epoch, txn_marker marker,
                               std::function<void(error_code)> done) {
  enqueue(partition, {shard_epoch, {}, std::move(done), marker});
}

void offsets_log::enqueue(std::int32_t partition, pending_append append) {
  queues_->by_partition[partition].waiting.push_back(std::move(append));
  send_next(partition);
}

std::function<void(std::vector<offsets_log::pending_append>, error_code)> offsets_log::completion(
    std::int32_t partition) {
  std::weak_ptr<queues> alive = queues_;
  return [this, alive, partition, post = post_](std::vector<pending_append> appends, error_code e) {
    post([this, alive, partition, appends = std::move(appends), e]() mutable {
      if (alive.expired()) return;
      finish(partition, std::move(appends), e);
    });
  };
}

void offsets_log::send_next(std::int32_t partition) {
  auto& q = queues_->by_partition[partition];
  if (q.in_flight || q.waiting.empty()) return;
  q.in_flight = true;
  auto is_plain = [](const pending_append& a) { return std::holds_alternative<std::monostate>(a.kind); };
  std::vector<pending_append> sent;
  if (!is_plain(q.waiting.front())) {
    sent.push_back(std::move(q.waiting.front()));
    q.waiting.pop_front();
    if (std::holds_alternative<txn_marker>(sent.front().kind)) return send_marker(partition, std::move(sent.front()));
    return send_produce(partition, std::move(sent));
  }
  std::size_t bytes_taken = 0;
  const std::int64_t shard_epoch = q.waiting.front().shard_epoch;
  while (!q.waiting.empty() && is_plain(q.waiting.front()) && q.waiting.front().shard_epoch == shard_epoch &&
         (sent.empty() || bytes_taken + record_bytes(q.waiting.front().records) <= merge_limit_bytes)) {
    bytes_taken += record_bytes(q.waiting.front().records);
    sent.push_back(std::move(q.waiting.front()));
    q.waiting.pop_front();
  }
  send_produce(partition, std::move(sent));
}

void offsets_log::send_produce(std::int32_t partition, std::vector<pending_append> sent) {
  auto complete = completion(partition);
  auto client = leader_client(partition);
  if (!client) return complete(std::move(sent), error_code::coordinator_not_available);

  const std::int64_t shard_epoch = sent.front().shard_epoch;
  protocol::batch_build_options options;
  if (auto* producer = std::get_if<txn_producer>(&sent.front().kind)) {
    // As Kafka's coordinator runtime writes a transaction's offsets: the
    // producer's id and epoch, the transactional bit, base sequence 0. The
    // partition server checks the epoch but not the sequence of a write
    // carrying a group shard epoch (Kafka's AppendOrigin.COORDINATOR):
    // every such batch starts at 0.
    options.transactional = true;
    options.producer_id = producer->id;
    options.producer_epoch = producer->epoch;
    options.base_sequence = 0;
  }
  std::vector<protocol::record_to_build> batch;
  const std::int64_t now = wall_clock_ms();
  for (auto& a : sent)
    for (auto& r : a.records) batch.push_back({std::move(r.key), std::move(r.value), {}, now});
  const auto bytes = protocol::build_batch(batch, options);
  pv1::ProduceRequest req;
  req.set_acks(-1);
  req.set_timeout_ms(static_cast<std::int32_t>(append_timeout.count()));
  req.set_group_shard_epoch(shard_epoch);
  auto* p = req.add_partitions();
  p->set_topic(topic_);
  p->set_partition(partition);
  p->set_records_size(static_cast<std::uint32_t>(bytes.size()));
  auto msg = messaging::message::make(messaging::method::produce, req, bytes.size());
  msg.append_payload(bytes);
  client->call(std::move(msg), append_timeout + std::chrono::seconds(2),
               [complete, sent = std::move(sent)](messaging::rpc_status status, messaging::message reply) mutable {
                 error_code e = error_code::coordinator_not_available;
                 pv1::ProduceResponse resp;
                 if (status == messaging::rpc_status::ok && reply.parse_header(resp) && resp.partitions_size() == 1)
                   e = commit_error(resp.partitions(0).error());
                 complete(std::move(sent), e);
               });
}

void offsets_log::send_marker(std::int32_t partition, pending_append sent) {
  auto complete = completion(partition);
  std::vector<pending_append> appends;
  const auto marker = std::get<txn_marker>(sent.kind);
  const std::int64_t shard_epoch = sent.shard_epoch;
  appends.push_back(std::move(sent));
  auto client = leader_client(partition);
  if (!client) return complete(std::move(appends), error_code::not_leader_or_follower);

  pv1::WriteTxnMarkersRequest req;
  req.set_timeout_ms(static_cast<std::int32_t>(append_timeout.count()));
  req.set_group_shard_epoch(shard_epoch);
  auto* m = req.add_markers();
  m->set_producer_id(marker.producer.id);
  m->set_producer_epoch(marker.producer.epoch);
  m->set_committed(marker.commit);
  m->set_coordinator_epoch(marker.coordinator_epoch);
  auto* p = m->add_partitions();
  p->set_topic(topic_);
  p->set_partition(partition);
  client->call(messaging::message::make(messaging::method::write_txn_markers, req),
               append_timeout + std::chrono::seconds(2),
               [complete, appends = std::move(appends)](messaging::rpc_status status, messaging::message reply) mutable {
                 // No answer: it may or may not be written; the transaction
                 // coordinator retries (a marker written twice is harmless).
                 error_code e = error_code::request_timed_out;
                 pv1::WriteTxnMarkersResponse resp;
                 if (status == messaging::rpc_status::ok && reply.parse_header(resp) && resp.markers_size() == 1 &&
                     resp.markers(0).partitions_size() == 1)
                   e = marker_error(resp.markers(0).partitions(0).error());
                 complete(std::move(appends), e);
               });
}

void offsets_log::finish(std::int32_t partition, std::vector<pending_append> sent, error_code e) {
  // Their callbacks may append again: those wait until this one is done.
  for (auto& a : sent) a.done(e);
  queues_->by_partition[partition].in_flight = false;
  send_next(partition);
}

void offsets_log::read(std::int32_t partition, std::int64_t shard_epoch, std::int64_t offset,
                       std::function<void(read_result)> done) {
  auto client = leader_client(partition);
  if (!client) {
    return post_([done = std::move(done)] {
      read_result r;
      r.error = error_code::coordinator_not_available;
      done(std::move(r));
    });
  }
  pv1::FetchRequest req;
  req.set_max_wait_ms(0);
  req.set_min_bytes(0);
  req.set_max_bytes(read_limit);
  req.set_group_shard_epoch(shard_epoch);
  auto* p = req.add_partitions();
  p->set_topic(topic_);
  p->set_partition(partition);
  p->set_fetch_offset(offset);
  p->set_partition_max_bytes(read_limit);
  p->set_current_leader_epoch(-1);
  p->set_last_fetched_epoch(-1);
  client->call(messaging::message::make(messaging::method::fetch, req), std::chrono::seconds(10),
               [post = post_, done = std::move(done)](messaging::rpc_status status, messaging::message reply) {
                 read_result r;
                 r.error = error_code::coordinator_not_available;
                 pv1::FetchResponse resp;
                 if (status == messaging::rpc_status::ok && reply.parse_header(resp) && resp.partitions_size() == 1) {
                   const auto& pr = resp.partitions(0);
                   r.error = pr.error() == pv1::OFFSET_OUT_OF_RANGE ? error_code::offset_out_of_range
                                                                     : commit_error(pr.error());
                   r.high_watermark = pr.high_watermark();
                   r.log_end_offset = pr.log_end_offset();
                   r.log_start_offset = pr.log_start_offset();
                   auto payload = reply.payload();
                   const auto n = std::min<std::size_t>(pr.records_size(), payload.size());
                   r.batches.assign(payload.begin(), payload.begin() + static_cast<std::ptrdiff_t>(n));
                 }
                 post([done, r = std::move(r)]() mutable { done(std::move(r)); });
               });
}

}  // namespace sluice::group_coordinator
