#pragma once
// A blocking Kafka-protocol connection for the admin calls librdkafka 2.0
// (Debian 12's) has no API for: ListTransactions, DescribeTransactions,
// DescribeProducers. Requests and responses are the codec's generated
// messages, so the command speaks the same bytes as any Kafka client.
#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "common/protocol/api_keys.h"
#include "common/protocol/wire.h"
#include "tools/sluice/cli_result.h"

namespace sluice::tools {

/// One TCP connection to a broker (a Sluice gateway), one request at a
/// time. Move-only; closes the socket when destroyed.
class wire_client {
 public:
  /// Connects to the first reachable "host:port" of a comma-separated list.
  static cli_result<wire_client> connect(const std::string& bootstrap, std::chrono::milliseconds timeout);

  wire_client(wire_client&& other) noexcept;
  wire_client& operator=(wire_client&& other) noexcept;
  ~wire_client();

  /// Sends `request` at `version` and decodes the response at the same version.
  template <class Request, class Response>
  cli_result<Response> call(const Request& request, std::int16_t version) {
    protocol::writer body;
    request.encode(body, version);
    auto bytes = round_trip(Request::key, version, body.data());
    if (!bytes) return cli_error(bytes.error());
    try {
      protocol::reader r(bytes.value());
      Response response;
      response.decode(r, version);
      return response;
    } catch (const std::exception& e) {
      return cli_error("malformed " + std::string(protocol::api_name(Request::key)) + " response: " + e.what());
    }
  }

 private:
  wire_client(int fd, std::chrono::milliseconds timeout) : fd_(fd), timeout_(timeout) {}
  /// Frames and sends one request, returns the response body (after its header).
  cli_result<std::vector<std::byte>> round_trip(protocol::api_key key, std::int16_t version,
                                                std::span<const std::byte> body);

  int fd_ = -1;
  std::chrono::milliseconds timeout_;
  std::int32_t next_correlation_id_ = 1;
};

}  // namespace sluice::tools
