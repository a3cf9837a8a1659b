#pragma once
// What a Kafka API handler gets for one request: the decoded header, the
// body bytes, the gateway's shared services and the way to answer.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <spdlog/logger.h>

#include "common/base/result.h"
#include "common/protocol/header.h"
#include "common/protocol/wire.h"
#include "services/gateway/response_frame.h"
#include "services/gateway/serial_queue.h"

namespace sluice::cluster { class coordinator_client; }

namespace sluice::gateway {

struct gateway_options;
class metadata_cache;
class partition_servers;
class group_coordinators;
class fetch_session_cache;

/// Hands out a new producer id through its callback (from any thread): the
/// gateway's cluster::producer_id_pool, fed with blocks by the coordinator.
using producer_id_source = std::function<void(std::function<void(result<std::int64_t>)>)>;

/// Long-lived parts of the gateway every handler may use. Thread-safe.
struct gateway_services {
  const gateway_options& options;
  metadata_cache& metadata;
  partition_servers& servers;
  cluster::coordinator_client& coordinator;
  boost::asio::io_context& io;
  std::function<std::int32_t()> node_id;  // this gateway's Kafka node id (-1 before registration)
  group_coordinators& groups;
  producer_id_source next_producer_id;  // idempotent producers' ids (InitProducerId)
  fetch_session_cache& fetch_sessions;   // Fetch's incremental sessions (KIP-227)
};

/// Answers one request exactly once, from any thread. The connection sends
/// answers in request order whatever order they are produced in.
class reply_sink {
 public:
  using send_fn = std::function<void(std::vector<std::byte> frame)>;
  using none_fn = std::function<void()>;
  reply_sink(send_fn send, none_fn none) : send_(std::move(send)), none_(std::move(none)) {}
  void send(std::vector<std::byte> frame) const { send_(std::move(frame)); }
  /// Produce with acks=0: the client expects no answer at all.
  void none() const { none_(); }

 private:
  send_fn send_;
  none_fn none_;
};

struct request_context {
  protocol::request_header header;
  // The whole frame the request arrived in; `body` and every records view
  // decoded from it point into it, so handlers keep this alive while they
  // use them.
  std::shared_ptr<const std::vector<std::byte>> frame;
  std::span<const std::byte> body;
  gateway_services* services = nullptr;
  reply_sink reply;
  std::shared_ptr<spdlog::logger> log;
  // This connection's produce requests, forwarded one at a time (see serial_queue.h).
  std::shared_ptr<serial_queue> produce_order;
  // Its consumer-group requests, likewise: Kafka handles a connection's
  // requests one after another, and a commit must not overtake a join.
  std::shared_ptr<serial_queue> group_order;
  std::string client_host;  // the client's address, as DescribeGroups shows it ("/127.0.0.1")
  std::uint16_t local_port = 0;  // the gateway port the request arrived on: which broker id it was sent to

  /// The broker id the client sent this request to (broker_map.h), or -1
  /// when the port fronts none now.
  std::int32_t addressed_broker() const;

  std::int16_t version() const noexcept { return header.api_version; }

  /// Decodes the body as `Request` at the header's version; a malformed body
  /// throws protocol::decode_error, which closes the connection.
  template <class Request>
  Request decode() const {
    protocol::reader in(body);
    Request request;
    request.decode(in, version());
    return request;
  }

  /// Encodes `response` at the request's version and sends it.
  template <class Response>
  void respond(const Response& response, std::size_t size_hint = 0) const {
    reply.send(encode_response(header, response, size_hint));
  }
};

}  // namespace sluice::gateway
