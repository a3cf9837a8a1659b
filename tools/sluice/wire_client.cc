#include "tools/sluice/wire_client.h"

#include <netdb.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "common/base/endian.h"
#include "common/protocol/header.h"

namespace sluice::tools {

namespace {

// Kafka's largest response we accept from a broker for an admin call.
constexpr std::uint32_t max_response_bytes = 100 * 1024 * 1024;

void set_timeouts(int fd, std::chrono::milliseconds timeout) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(timeout.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000);
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

// A connected socket to host:port, or -1 with `error` set.
int dial(const std::string& address, std::chrono::milliseconds timeout, std::string& error) {
  const auto colon = address.rfind(':');
  if (colon == std::string::npos) {
    error = "bad address '" + address + "' (want host:port)";
    return -1;
  }
  const std::string host = address.substr(0, colon), port = address.substr(colon + 1);
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (int rc = ::getaddrinfo(host.c_str(), port.c_str(), &hints, &found); rc != 0) {
    error = address + ": " + ::gai_strerror(rc);
    return -1;
  }
  int fd = -1;
  for (addrinfo* ai = found; ai != nullptr && fd < 0; ai = ai->ai_next) {
    fd = ::socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
    if (fd < 0) continue;
    set_timeouts(fd, timeout);
    if (::connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
      error = address + ": " + std::strerror(errno);
      ::close(fd);
      fd = -1;
    }
  }
  ::freeaddrinfo(found);
  return fd;
}

bool send_all(int fd, std::span<const std::byte> bytes) {
  while (!bytes.empty()) {
    const auto n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n <= 0) return false;
    bytes = bytes.subspan(static_cast<std::size_t>(n));
  }
  return true;
}

bool receive_all(int fd, std::span<std::byte> into) {
  while (!into.empty()) {
    const auto n = ::recv(fd, into.data(), into.size(), 0);
    if (n <= 0) return false;
    into = into.subspan(static_cast<std::size_t>(n));
  }
  return true;
}

}  // namespace

cli_result<wire_client> wire_client::connect(const std::string& bootstrap, std::chrono::milliseconds timeout) {
  std::string error = "no bootstrap server given";
  std::size_t start = 0;
  while (start <= bootstrap.size()) {
    const auto comma = bootstrap.find(',', start);
    const auto address = bootstrap.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (!address.empty()) {
      if (int fd = dial(address, timeout, error); fd >= 0) return wire_client(fd, timeout);
    }
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return cli_error("cannot connect: " + error);
}

wire_client::wire_client(wire_client&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), timeout_(other.timeout_), next_correlation_id_(other.next_correlation_id_) {}

wire_client& wire_client::operator=(wire_client&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
    timeout_ = other.timeout_;
    next_correlation_id_ = other.next_correlation_id_;
  }
  return *this;
}

wire_client::~wire_client() {
  if (fd_ >= 0) ::close(fd_);
}

cli_result<std::vector<std::byte>> wire_client::round_trip(protocol::api_key key, std::int16_t version,
                                                           std::span<const std::byte> body) {
  const std::string api{protocol::api_name(key)};
  protocol::request_header header{.api_key = static_cast<std::int16_t>(key),
                                  .api_version = version,
                                  .correlation_id = next_correlation_id_++,
                                  .client_id = std::string("sluice")};
  protocol::writer frame;
  frame.write_int32(0);  // size, filled in below
  header.encode(frame);
  frame.write_raw(body);
  auto bytes = frame.take();
  store_be(bytes.data(), static_cast<std::int32_t>(bytes.size() - 4));
  if (!send_all(fd_, bytes)) return cli_error(api + ": send failed: " + std::strerror(errno));

  std::byte size_bytes[4];
  if (!receive_all(fd_, size_bytes)) return cli_error(api + ": no response: " + std::strerror(errno));
  const auto size = load_be<std::uint32_t>(size_bytes);
  if (size > max_response_bytes) return cli_error(api + ": response of " + std::to_string(size) + " bytes refused");
  std::vector<std::byte> response(size);
  if (!receive_all(fd_, response)) return cli_error(api + ": response cut short: " + std::strerror(errno));

  try {
    protocol::reader r(response);
    const auto correlation_id = protocol::read_response_header(r, protocol::response_header_version(key, version));
    if (correlation_id != header.correlation_id) return cli_error(api + ": response to another request");
    response.erase(response.begin(), response.begin() + static_cast<std::ptrdiff_t>(r.position()));
    return response;
  } catch (const std::exception& e) {
    return cli_error(api + ": malformed response header: " + e.what());
  }
}

}  // namespace sluice::tools
