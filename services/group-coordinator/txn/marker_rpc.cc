#include "services/group-coordinator/txn/marker_rpc.h"

#include <chrono>

#include "common/cluster/group_shards.h"
#include "common/logging/logger.h"
#include "common/messaging/methods.h"

namespace sluice::group_coordinator::txn {

namespace {

namespace pv1 = sluice::partition::v1;

auto log() {
  static auto l = logging::get("group");
  return l;
}

// The leader answers once the marker is committed (acks=all).
constexpr auto marker_timeout = std::chrono::milliseconds(5000);

}  // namespace

marker_outcome outcome_of(pv1::PartitionError e) {
  switch (e) {
    case pv1::PARTITION_OK: return marker_outcome::written;
    // Retriable: the leader moved or is not ready, too few replicas, a timeout.
    case pv1::NOT_LEADER:
    case pv1::FENCED_LEADER_EPOCH:
    case pv1::UNKNOWN_LEADER_EPOCH:
    case pv1::GROUP_SHARD_EPOCH_MISMATCH:
    case pv1::UNKNOWN_PARTITION:  // Kafka retries UNKNOWN_TOPIC_OR_PARTITION; a deleted topic leaves the metadata
    case pv1::NOT_ENOUGH_REPLICAS:
    case pv1::NOT_ENOUGH_REPLICAS_AFTER_APPEND:
    case pv1::REQUEST_TIMED_OUT:
    case pv1::STORAGE_ERROR: return marker_outcome::retry;
    // A newer producer epoch or coordinator epoch is there: we are stale.
    case pv1::INVALID_PRODUCER_EPOCH:
    case pv1::PRODUCER_FENCED:
    case pv1::TRANSACTION_COORDINATOR_FENCED: return marker_outcome::fenced;
    // Kafka treats these as fatal for the coordinator; we keep retrying
    // (logged by the caller), which a fixed server or a new leader can end.
    case pv1::CORRUPT_MESSAGE:
    case pv1::INVALID_RECORD:
    case pv1::MESSAGE_TOO_LARGE:
    case pv1::OFFSET_OUT_OF_RANGE:
    case pv1::INVALID_TIMESTAMP:
    case pv1::UNSUPPORTED_COMPRESSION:
    case pv1::INVALID_REQUEST:
    case pv1::OUT_OF_ORDER_SEQUENCE_NUMBER:
    case pv1::UNKNOWN_PRODUCER_ID:
    case pv1::INVALID_TXN_STATE:
    case pv1::INVALID_PRODUCER_ID_MAPPING:
    case pv1::TRANSACTION_ABORTABLE:  // not a marker's answer
    case pv1::PartitionError_INT_MIN_SENTINEL_DO_NOT_USE_:
    case pv1::PartitionError_INT_MAX_SENTINEL_DO_NOT_USE_: break;
  }
  return marker_outcome::retry;
}

marker_rpc::marker_rpc(cluster::cluster_client& cluster, post_fn post) : cluster_(cluster), post_(std::move(post)) {}

marker_route marker_rpc::route(const txn_partition& p) {
  auto view = cluster_.current();
  const auto* topic = view->topic(p.first);
  if (topic == nullptr || p.second < 0 || p.second >= topic->partitions_size())
    return {marker_route::kind::deleted, -1};
  if (p.first == cluster::offsets_topic) {
    const auto owner = cluster::offsets_partition_owner(*view, p.second);
    if (owner < 0) return {marker_route::kind::unavailable, -1};
    return {marker_route::kind::group_coordinator, owner};
  }
  const auto* partition = view->partition(p.first, p.second);
  if (partition == nullptr) return {marker_route::kind::deleted, -1};
  if (partition->leader() < 0) return {marker_route::kind::unavailable, -1};
  return {marker_route::kind::partition_server, partition->leader()};
}

void marker_rpc::send(marker_route to, marker_request request,
                      std::function<void(std::map<txn_partition, marker_outcome>)> done) {
  auto all = [partitions = request.partitions](marker_outcome o) {
    std::map<txn_partition, marker_outcome> out;
    for (const auto& p : partitions) out[p] = o;
    return out;
  };
  auto view = cluster_.current();
  const bool to_group = to.where == marker_route::kind::group_coordinator;
  auto client = to_group ? group_coordinators_.client(*view, to.node) : partition_servers_.client(*view, to.node);
  if (!client) return post_([done, out = all(marker_outcome::retry)] { done(out); });

  pv1::WriteTxnMarkersRequest req;
  req.set_timeout_ms(static_cast<std::int32_t>(marker_timeout.count()));
  auto* m = req.add_markers();
  m->set_producer_id(request.producer_id);
  m->set_producer_epoch(request.producer_epoch);
  m->set_committed(request.commit);
  m->set_coordinator_epoch(request.coordinator_epoch);
  for (const auto& [topic, partition] : request.partitions) {
    auto* ref = m->add_partitions();
    ref->set_topic(topic);
    ref->set_partition(partition);
  }
  const auto method = to_group ? messaging::method::write_txn_markers_group : messaging::method::write_txn_markers;
  client->call(messaging::message::make(method, req), marker_timeout + std::chrono::seconds(2),
               [post = post_, done, all, node = to.node](messaging::rpc_status status, messaging::message reply) {
                 auto out = all(marker_outcome::retry);
                 pv1::WriteTxnMarkersResponse resp;
                 if (status == messaging::rpc_status::ok && reply.parse_header(resp)) {
                   for (const auto& marker : resp.markers())
                     for (const auto& pr : marker.partitions()) {
                       auto it = out.find({pr.topic(), pr.partition()});
                       if (it == out.end()) continue;
                       it->second = outcome_of(pr.error());
                       if (pr.error() != pv1::PARTITION_OK)
                         log()->info("marker for {}-{} on node {}: {} {}", pr.topic(), pr.partition(), node,
                                     pv1::PartitionError_Name(pr.error()), pr.error_message());
                     }
                 } else {
                   log()->info("markers to node {} failed ({}): retrying", node, static_cast<int>(status));
                 }
                 post([done, out = std::move(out)] { done(out); });
               });
}

void marker_rpc::forget_stale(const cluster::metadata_view& view) {
  partition_servers_.forget_stale(view);
  group_coordinators_.forget_stale(view);
}

}  // namespace sluice::group_coordinator::txn
