#include "common/cluster/transaction_checker.h"

#include <algorithm>
#include <chrono>
#include <span>
#include <string_view>

#include "common/cluster/cluster_client.h"
#include "common/cluster/group_shards.h"
#include "common/cluster/service_clients.h"
#include "common/logging/logger.h"
#include "common/messaging/methods.h"
#include "common/protocol/error_code.h"
#include "common/protocol/messages/add_partitions_to_txn.h"
#include "common/proto/group.pb.h"

namespace sluice::cluster {

namespace {

using request = protocol::add_partitions_to_txn_request;
using response = protocol::add_partitions_to_txn_response;

/// The broker form (v4+, KIP-890); v5 is the first whose answers may carry
/// TRANSACTION_ABORTABLE, which the partition leader maps for v11+ produces.
constexpr std::int16_t broker_form_version = 5;

/// How long a partition leader or group shard waits for the transaction
/// coordinator before answering a retriable error to the producer.
constexpr std::chrono::milliseconds check_timeout{5000};

std::int16_t code(protocol::error_code e) { return static_cast<std::int16_t>(e); }

txn_check_result every_partition(const txn_check_request& req, std::int16_t error) {
  txn_check_result out;
  for (const auto& p : req.partitions) out[p] = error;
  return out;
}

/// Kafka's AddPartitionsToTxn v5 body: one transaction, grouped by topic in
/// the order the partitions came.
std::vector<std::byte> encode_request(const txn_check_request& req) {
  request body;
  auto& txn = body.transactions.emplace_back();
  txn.transactional_id = req.transactional_id;
  txn.producer_id = req.producer_id;
  txn.producer_epoch = req.producer_epoch;
  txn.verify_only = !req.add;
  for (const auto& [topic, partition] : req.partitions) {
    auto it = std::find_if(txn.topics.begin(), txn.topics.end(), [&](const auto& t) { return t.name == topic; });
    if (it == txn.topics.end()) it = txn.topics.insert(txn.topics.end(), {.name = topic, .partitions = {}});
    it->partitions.push_back(partition);
  }
  protocol::writer w;
  body.encode(w, broker_form_version);
  return w.take();
}

/// The per-partition codes of `req` in the coordinator's answer. A
/// partition the answer leaves out gets UNKNOWN_SERVER_ERROR (a coordinator
/// answers every partition; Kafka's broker would take silence for success,
/// which is the one answer a check must never assume).
txn_check_result decode_response(const txn_check_request& req, std::span<const std::byte> bytes) {
  protocol::reader r(bytes);
  response resp;
  resp.decode(r, broker_form_version);
  if (resp.error_code != 0) return every_partition(req, resp.error_code);
  auto out = every_partition(req, code(protocol::error_code::unknown_server_error));
  for (const auto& txn : resp.results_by_transaction) {
    if (txn.transactional_id != req.transactional_id) continue;
    for (const auto& topic : txn.topic_results)
      for (const auto& p : topic.results_by_partition) {
        auto it = out.find({topic.name, p.partition_index});
        if (it != out.end()) it->second = p.partition_error_code;
      }
  }
  return out;
}

std::string_view service_name(mv1::ServiceKind kind) {
  switch (kind) {
    case mv1::PARTITION_SERVER:
      return "partition-server";
    case mv1::GROUP_COORDINATOR:
      return "group-coordinator";
    case mv1::GATEWAY:
      return "gateway";
    case mv1::SERVICE_KIND_UNSPECIFIED:
    case mv1::ServiceKind_INT_MIN_SENTINEL_DO_NOT_USE_:
    case mv1::ServiceKind_INT_MAX_SENTINEL_DO_NOT_USE_:
      break;
  }
  return "service";
}

}  // namespace

/// The clients to the group coordinators, shared with the metadata listener
/// (which closes those of instances that left), so that a listener running
/// after the checker is gone finds nothing to do.
struct transaction_checker::impl {
  explicit impl(cluster_client& c) : cluster(c) {}

  cluster_client& cluster;
  std::shared_ptr<service_clients> coordinators = std::make_shared<service_clients>(mv1::GROUP_COORDINATOR);
};

transaction_checker::transaction_checker(cluster_client& cluster) : impl_(std::make_unique<impl>(cluster)) {
  // A dead instance's calls in flight fail now instead of at their timeout,
  // and a later owner on the same node id but another url gets a new client.
  cluster.on_change([weak = std::weak_ptr<service_clients>(impl_->coordinators)](
                        std::shared_ptr<const metadata_view> view) {
    if (auto clients = weak.lock()) clients->forget_stale(*view);
  });
}

transaction_checker::~transaction_checker() = default;

void transaction_checker::check(txn_check_request request, std::function<void(txn_check_result)> done) {
  if (request.partitions.empty()) return done({});
  auto view = impl_->cluster.current();
  const std::int32_t owner = offsets_partition_owner(*view, transaction_partition_for(request.transactional_id));
  auto client = owner < 0 ? nullptr : impl_->coordinators->client(*view, owner);
  if (!client) return done(every_partition(request, code(protocol::error_code::coordinator_not_available)));

  // The coordinator logs the client id with the requests it serves.
  const std::int32_t self = impl_->cluster.node_id();
  const auto* me = view->service(self);
  group::v1::KafkaRequest header;
  header.set_api_key(static_cast<std::int32_t>(protocol::api_key::add_partitions_to_txn));
  header.set_api_version(broker_form_version);
  header.set_client_id("sluice-" + std::string(service_name(me ? me->kind() : mv1::SERVICE_KIND_UNSPECIFIED)) + "-" +
                       std::to_string(self));
  const auto body = encode_request(request);
  auto msg = messaging::message::make(messaging::method::kafka_group_request, header, body.size());
  msg.append_payload(body);
  client->call(std::move(msg), check_timeout,
               [request = std::move(request), done = std::move(done), owner](messaging::rpc_status status,
                                                                             messaging::message reply) {
                 if (status != messaging::rpc_status::ok || !reply.valid()) {
                   logging::get("cluster")->debug("[{}] transaction check at group coordinator {} failed: {}",
                                                  request.transactional_id, owner, messaging::to_string(status));
                   return done(every_partition(request, code(protocol::error_code::network_exception)));
                 }
                 txn_check_result result;
                 try {
                   result = decode_response(request, reply.payload());
                 } catch (const protocol::decode_error& e) {
                   // No usable answer: as retriable as no answer at all.
                   logging::get("cluster")->warn("[{}] group coordinator {} answered a transaction check with "
                                                 "bytes that do not parse: {}",
                                                 request.transactional_id, owner, e.what());
                   result = every_partition(request, code(protocol::error_code::network_exception));
                 }
                 done(std::move(result));
               });
}

}  // namespace sluice::cluster
