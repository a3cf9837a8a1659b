#pragma once
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "common/messaging/frame.h"

namespace sluice::messaging {

/// Client end of an NNG REQ socket. Many calls may be in flight at once:
/// each uses its own nng_ctx. The socket dials in the background and
/// reconnects by itself, so a call made while the peer is down fails with
/// `unavailable`/`timed_out` and a later call succeeds once it is back.
///
/// Thread-safe. `call` never blocks; its callback runs on an NNG thread and
/// must not block either (post to an io_context or anon_send to an actor).
class rpc_client {
 public:
  using callback = std::function<void(rpc_status, message reply)>;

  explicit rpc_client(std::string url);
  ~rpc_client();
  rpc_client(const rpc_client&) = delete;
  rpc_client& operator=(const rpc_client&) = delete;

  const std::string& url() const noexcept;

  /// Sends `request`; `done` gets the reply, or a failure status with an
  /// invalid message. A reply whose own status is not ok is reported with
  /// that status.
  void call(message request, std::chrono::milliseconds timeout, callback done);

  /// Closes the socket: calls in flight fail at once with `unavailable`, and
  /// later calls fail the same way. Idempotent; the destructor closes too.
  /// Never from an NNG callback (it waits for the callbacks in flight).
  void close();

  /// Blocking call for main(), tools and tests; never from an NNG callback.
  std::pair<rpc_status, message> call_sync(message request, std::chrono::milliseconds timeout);

  struct impl;  // opaque; public only so the .cc's NNG callbacks can name it

 private:
  std::shared_ptr<impl> impl_;
};

}  // namespace sluice::messaging
