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
    // The shard writes no producer ids; a marker's errors are the marker
    // writer's to map.
    case pv1::OUT_OF_ORDER_SEQUENCE_NUMBER:
    case pv1::INVALID_PRODUCER_EPOCH:
    case pv1::PRODUCER_FENCED:
    case pv1::UNKNOWN_PRODUCER_ID:
    case pv1::INVALID_TXN_STATE:
    case pv1::TRANSACTION_COORDINATOR_FENCED:
    case pv1::INVALID_PRODUCER_ID_MAPPING:
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
  queues_->by_partition[partition].waiting.push_back({shard_epoch, std::move(records), std::move(done)});
  send_next(partition);
}

void offsets_log::send_next(std::int32_t partition) {
  auto& q = queues_->by_partition[partition];
  if (q.in_flight || q.waiting.empty()) return;
  std::vector<pending_append> sent;
  std::size_t bytes_taken = 0;
  const std::int64_t shard_epoch = q.waiting.front().shard_epoch;
  while (!q.waiting.empty() && q.waiting.front().shard_epoch == shard_epoch &&
         (sent.empty() || bytes_taken + record_bytes(q.waiting.front().records) <= merge_limit_bytes)) {
    bytes_taken += record_bytes(q.waiting.front().records);
    sent.push_back(std::move(q.waiting.front()));
    q.waiting.pop_front();
  }
  q.in_flight = true;

  std::weak_ptr<queues> alive = queues_;
  auto complete = [this, alive, partition, post = post_](std::vector<pending_append> appends, error_code e) {
    post([this, alive, partition, appends = std::move(appends), e]() mutable {
      if (alive.expired()) return;
      finish(partition, std::move(appends), e);
    });
  };
  auto client = leader_client(partition);
  if (!client) return complete(std::move(sent), error_code::coordinator_not_available);

  std::vector<protocol::record_to_build> batch;
  const std::int64_t now = wall_clock_ms();
  for (auto& a : sent)
    for (auto& r : a.records) batch.push_back({std::move(r.key), std::move(r.value), {}, now});
  const auto bytes = protocol::build_batch(batch);
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
