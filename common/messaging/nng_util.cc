#include "common/messaging/nng_util.h"

#include <arpa/inet.h>

#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "common/logging/logger.h"

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

bool close_within(nng_socket sock, const char* what, std::chrono::milliseconds limit) {
  struct outcome {
    std::mutex mutex;
    std::condition_variable closed_cv;
    bool closed = false;
  };
  auto out = std::make_shared<outcome>();
  std::thread closer([sock, out] {
    nng_close(sock);
    std::lock_guard lock(out->mutex);
    out->closed = true;
    out->closed_cv.notify_all();
  });
  {
    std::unique_lock lock(out->mutex);
    if (out->closed_cv.wait_for(lock, limit, [&] { return out->closed; })) {
      lock.unlock();
      closer.join();
      return true;
    }
  }
  closer.detach();
  logging::get("messaging")->warn("{}: nng_close() still blocked after {} ms (NNG 1.5's close race); "
                                  "leaving that socket behind",
                                  what, limit.count());
  return false;
}

}  // namespace sluice::messaging::detail
