#pragma once
// Sends one RPC to each partition server a Kafka request touches and runs
// `done` once every one has answered (or failed). Each batch's callback
// fills only the answers of its own partitions, so they need no lock; the
// counter orders their writes before `done`.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/cluster/metadata_view.h"
#include "common/messaging/frame.h"
#include "services/gateway/error_mapping.h"
#include "services/gateway/partition_servers.h"

namespace sluice::gateway {

/// The partitions of one Kafka request that live on one partition server:
/// the RPC header listing them, and where each one's answer goes.
template <class Header, class Answer>
struct server_batch {
  Header header;
  std::vector<Answer*> answers;  // same order as the partitions in header
};

/// Gives every partition of `batch` the same error (the whole RPC failed).
template <class Batch>
void fail_all(Batch& batch, protocol::error_code error) {
  for (auto* answer : batch.answers) answer->error_code = code(error);
}

/// The batch of the partition server that leads (topic, partition), with
/// `answer` recorded as the place for its result; nullptr after setting
/// answer->error_code when there is none to ask (UNKNOWN_TOPIC_OR_PARTITION,
/// or NOT_LEADER_OR_FOLLOWER while the partition is offline: retriable).
template <class Batch, class Answer>
Batch* leader_batch(const cluster::metadata_view& view, const std::string& topic, std::int32_t partition,
                    std::map<std::int32_t, Batch>& by_server, Answer* answer) {
  const auto* info = view.partition(topic, partition);
  if (info == nullptr || info->leader() < 0) {
    answer->error_code = code(info == nullptr ? protocol::error_code::unknown_topic_or_partition
                                              : protocol::error_code::not_leader_or_follower);
    return nullptr;
  }
  auto& batch = by_server[info->leader()];
  batch.answers.push_back(answer);
  return &batch;
}

/// An `on_reply` for RPCs answered by one protobuf `Reply`: a failed call or
/// an unreadable reply fails every answer of the batch, else
/// `apply(reply, batch)` fills them.
template <class Reply, class Batch, class Apply>
std::function<void(Batch&, messaging::rpc_status, messaging::message)> parse_reply(Apply apply) {
  return [apply](Batch& batch, messaging::rpc_status status, messaging::message reply) {
    Reply parsed;
    if (status != messaging::rpc_status::ok) return fail_all(batch, to_kafka(status));
    if (!reply.parse_header(parsed)) return fail_all(batch, protocol::error_code::unknown_server_error);
    apply(parsed, batch);
  };
}

/// `make_request(batch)` builds each RPC; `on_reply(batch, status, reply)`
/// runs once per batch on an NNG thread (or at once, with status
/// unavailable, when the server is not live); `done` runs after the last one.
template <class Batch, class MakeRequest>
void fan_out(partition_servers& servers, const cluster::metadata_view& view, std::map<std::int32_t, Batch> by_server,
             std::chrono::milliseconds timeout, MakeRequest make_request,
             std::function<void(Batch&, messaging::rpc_status, messaging::message)> on_reply,
             std::function<void()> done) {
  auto pending = std::make_shared<std::atomic<std::size_t>>(by_server.size());
  auto finish_one = [pending, done] {
    if (pending->fetch_sub(1, std::memory_order_acq_rel) == 1) done();
  };
  for (auto& [node, value] : by_server) {
    auto batch = std::make_shared<Batch>(std::move(value));
    auto client = servers.client(view, node);
    if (!client) {
      on_reply(*batch, messaging::rpc_status::unavailable, messaging::message{});
      finish_one();
      continue;
    }
    messaging::message request = make_request(*batch);
    client->call(std::move(request), timeout,
                 [batch, on_reply, finish_one](messaging::rpc_status status, messaging::message reply) {
                   on_reply(*batch, status, std::move(reply));
                   finish_one();
                 });
  }
}

}  // namespace sluice::gateway
