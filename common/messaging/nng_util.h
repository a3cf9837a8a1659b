#pragma once
// Small helpers shared by the NNG socket wrappers (not part of the public API).
#include <chrono>
#include <stdexcept>
#include <string>

#include <nng/nng.h>

namespace sluice::messaging::detail {

/// Throws on a failed NNG call made while setting a socket up (start-up only).
inline void check(int rv, const char* what) {
  if (rv != 0) throw std::runtime_error(std::string(what) + ": " + nng_strerror(rv));
}

/// Largest message a peer may send us; protects against a bogus length.
inline constexpr std::size_t max_message_bytes = 512u << 20;

/// Listens on `url` and returns the url peers should dial: for tcp:// with
/// port 0, the same host with the port the kernel picked.
std::string listen_and_resolve(nng_socket sock, const std::string& url);

/// Starts dialing `url` in the background, reconnecting quickly after a loss.
void dial_in_background(nng_socket sock, const std::string& url);

/// nng_close(sock), waiting at most `limit`. NNG 1.5 (Debian 12's) can block
/// in nng_close() for good: its reaper waits on a task that never runs
/// (nanomsg/nng#1543, #1813), and a service then never exits. Past the limit
/// the close is left to finish (or not) on its own thread, a warning names
/// `what`, and false says the socket's aios must not be freed.
bool close_within(nng_socket sock, const char* what,
                  std::chrono::milliseconds limit = std::chrono::milliseconds(2000));

}  // namespace sluice::messaging::detail
