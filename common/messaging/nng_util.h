#pragma once
// Small helpers shared by the NNG socket wrappers (not part of the public API).
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

}  // namespace sluice::messaging::detail
