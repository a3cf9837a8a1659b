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
