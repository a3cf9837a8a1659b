#include "common/messaging/nng_util.h"

#include <arpa/inet.h>

namespace sluice::messaging::detail {

std::string listen_and_resolve(nng_socket sock, const std::string& url) {
  check(nng_socket_set_size(sock, NNG_OPT_RECVMAXSZ, max_message_bytes), "nng recvmaxsz");
  nng_listener listener;
  check(nng_listen(sock, url.c_str(), &listener, 0), ("nng_listen " + url).c_str());
  if (url.rfind("tcp://", 0) != 0) return url;
  nng_sockaddr addr;
  if (nng_listener_get_addr(listener, NNG_OPT_LOCADDR, &addr) != 0 || addr.s_family != NNG_AF_INET) return url;
  const auto colon = url.rfind(':');
  return url.substr(0, colon) + ":" + std::to_string(ntohs(addr.s_in.sa_port));
}

void dial_in_background(nng_socket sock, const std::string& url) {
  check(nng_socket_set_size(sock, NNG_OPT_RECVMAXSZ, max_message_bytes), "nng recvmaxsz");
  check(nng_socket_set_ms(sock, NNG_OPT_RECONNMINT, 50), "nng reconnmint");
  check(nng_socket_set_ms(sock, NNG_OPT_RECONNMAXT, 1000), "nng reconnmaxt");
  check(nng_dial(sock, url.c_str(), nullptr, NNG_FLAG_NONBLOCK), ("nng_dial " + url).c_str());
}

}  // namespace sluice::messaging::detail
