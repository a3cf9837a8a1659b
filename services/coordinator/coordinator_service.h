#pragma once
// The running coordinator: store + actor + RPC server + publisher.
// No CAF in this header (it is included by main and tests).
#include <filesystem>
#include <memory>
#include <string>

#include "services/coordinator/coordinator_state.h"

namespace sluice::coordinator {

struct service_options {
  std::filesystem::path data_dir;                   // LMDB env lives here
  std::string listen_url = "tcp://127.0.0.1:19090";  // RPC (REP); port 0 picks one
  std::string publish_url = "tcp://127.0.0.1:19091";  // deltas (PUB); port 0 picks one
  coordinator_options coordinator;
};

/// Owns one coordinator instance. start() opens the store, binds the PUB and
/// REP sockets and spawns the actor that owns coordinator_state; NNG
/// callbacks anon_send each request to it. stop() stops the RPC server
/// first (no new request reaches the actor), then exits the actor and waits
/// for it (destroying a CAF actor system with a running actor blocks), and
/// drops the publisher last (the actor publishes through it).
/// Construct, start and stop from one thread (main or a test).
class coordinator_service {
 public:
  /// Throws std::runtime_error when the store cannot open or a socket cannot bind.
  explicit coordinator_service(service_options options);
  ~coordinator_service();
  coordinator_service(const coordinator_service&) = delete;
  coordinator_service& operator=(const coordinator_service&) = delete;

  const std::string& rpc_url() const noexcept;
  const std::string& publish_url() const noexcept;
  void stop();

  struct impl;

 private:
  std::unique_ptr<impl> impl_;
};

}  // namespace sluice::coordinator
