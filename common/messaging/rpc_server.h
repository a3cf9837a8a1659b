#pragma once
#include <functional>
#include <memory>
#include <string>

#include "common/messaging/frame.h"

namespace sluice::messaging {

/// Sends the reply to one request, from any thread, exactly once. Cheap to
/// copy (shared state); if every copy is dropped without a reply the
/// request is answered with `unavailable` so the caller is not left waiting.
class responder {
 public:
  struct state;
  responder() = default;
  explicit responder(std::shared_ptr<state> s) : state_(std::move(s)) {}

  void reply(message reply) const;
  void fail(rpc_status status) const;
  std::uint16_t method() const noexcept;

 private:
  std::shared_ptr<state> state_;
};

/// Server end of an NNG REP socket with a pool of contexts, each a small
/// receive -> handle -> reply state machine, so up to `contexts` requests
/// are in progress at once (long-poll fetches hold one each).
///
/// The handler runs on an NNG thread: it must not block; it hands the
/// request on (anon_send to an actor) and replies later through the responder.
class rpc_server {
 public:
  using handler = std::function<void(message request, responder reply_to)>;

  /// Listens on `url` (tcp://host:0 picks a free port; see url()).
  rpc_server(const std::string& url, handler on_request, int contexts = 256);
  ~rpc_server();
  rpc_server(const rpc_server&) = delete;
  rpc_server& operator=(const rpc_server&) = delete;

  /// The url peers should dial, with the real port when 0 was asked for.
  const std::string& url() const noexcept;

  /// Stops receiving; pending responders then answer `shutting_down`.
  void stop();

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace sluice::messaging
