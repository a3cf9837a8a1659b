#include "common/messaging/pubsub.h"

#include <google/protobuf/message_lite.h>
#include <nng/nng.h>
#include <nng/protocol/pubsub0/pub.h>
#include <nng/protocol/pubsub0/sub.h>

#include "common/messaging/nng_util.h"

namespace sluice::messaging {

struct publisher::impl {
  nng_socket sock{};
  std::string url;
};

publisher::publisher(const std::string& url) : impl_(std::make_unique<impl>()) {
  detail::check(nng_pub0_open(&impl_->sock), "nng_pub0_open");
  impl_->url = detail::listen_and_resolve(impl_->sock, url);
}

publisher::~publisher() { detail::close_within(impl_->sock, "publisher"); }

const std::string& publisher::url() const noexcept { return impl_->url; }

void publisher::publish(const google::protobuf::MessageLite& message) {
  const std::size_t size = message.ByteSizeLong();
  nng_msg* m = nullptr;
  if (nng_msg_alloc(&m, size) != 0) return;
  message.SerializeWithCachedSizesToArray(static_cast<std::uint8_t*>(nng_msg_body(m)));
  if (nng_sendmsg(impl_->sock, m, NNG_FLAG_NONBLOCK) != 0) nng_msg_free(m);
}

struct subscriber::impl {
  nng_socket sock{};
  nng_aio* aio = nullptr;
  callback on_message;

  static void on_aio(void* arg) {
    auto* self = static_cast<impl*>(arg);
    const int rv = nng_aio_result(self->aio);
    if (rv == NNG_ECLOSED || rv == NNG_ECANCELED) return;
    if (rv == 0) {
      nng_msg* m = nng_aio_get_msg(self->aio);
      nng_aio_set_msg(self->aio, nullptr);
      self->on_message({static_cast<const std::byte*>(nng_msg_body(m)), nng_msg_len(m)});
      nng_msg_free(m);
    }
    nng_recv_aio(self->sock, self->aio);
  }
};

subscriber::subscriber(const std::string& url, callback on_message) : impl_(std::make_unique<impl>()) {
  impl_->on_message = std::move(on_message);
  detail::check(nng_sub0_open(&impl_->sock), "nng_sub0_open");
  detail::check(nng_socket_set(impl_->sock, NNG_OPT_SUB_SUBSCRIBE, "", 0), "nng subscribe");
  detail::check(nng_aio_alloc(&impl_->aio, &impl::on_aio, impl_.get()), "nng_aio_alloc");
  detail::dial_in_background(impl_->sock, url);
  nng_recv_aio(impl_->sock, impl_->aio);
}

subscriber::~subscriber() {
  // The receive ends before the socket closes (see rpc_client::close()).
  nng_aio_stop(impl_->aio);
  if (detail::close_within(impl_->sock, "metadata subscriber")) nng_aio_free(impl_->aio);
}

}  // namespace sluice::messaging
