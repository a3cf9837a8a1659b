#include "common/messaging/rpc_server.h"

#include <atomic>
#include <shared_mutex>
#include <vector>

#include <nng/nng.h>
#include <nng/protocol/reqrep0/rep.h>

#include "common/logging/logger.h"
#include "common/messaging/nng_util.h"

namespace sluice::messaging {
namespace {

struct server_core;

/// One REP context: receive a request, wait for its responder, send the
/// reply, receive again.
struct context_slot {
  server_core* core = nullptr;
  nng_ctx ctx{};
  nng_aio* aio = nullptr;
  bool sending = false;
};

/// Shared by the server and every outstanding responder, so a reply that
/// arrives after stop() finds valid (closed) handles instead of freed memory.
struct server_core : std::enable_shared_from_this<server_core> {
  nng_socket sock{};
  rpc_server::handler on_request;
  std::atomic<bool> closed{false};
  bool socket_closed = false;  // nng_close() returned: the aios may be freed
  // Held shared while a reply is handed to NNG, exclusively while stop()
  // marks the server closed: a send can then never race nng_close(), which
  // frees the contexts (NNG panics on a send to a freed context).
  std::shared_mutex closing;
  std::vector<std::unique_ptr<context_slot>> slots;

  ~server_core() {
    if (!socket_closed) return;  // NNG may still use them (close_within)
    for (auto& s : slots) nng_aio_free(s->aio);
  }

  static void on_aio(void* arg) {
    auto* slot = static_cast<context_slot*>(arg);
    slot->core->advance(slot);
  }

  void receive(context_slot* slot) {
    slot->sending = false;
    nng_ctx_recv(slot->ctx, slot->aio);
  }

  void advance(context_slot* slot);
};

}  // namespace

struct responder::state {
  std::shared_ptr<server_core> core;
  context_slot* slot = nullptr;
  std::uint16_t method = 0;
  std::atomic<bool> answered{false};

  void send(message reply) {
    if (answered.exchange(true)) return;
    std::shared_lock lock(core->closing);
    if (core->closed.load()) return;  // the socket is gone; nobody waits
    slot->sending = true;
    nng_aio_set_msg(slot->aio, reply.release());
    nng_ctx_send(slot->ctx, slot->aio);
  }

  ~state() {
    if (!answered.load()) send(message::make_status(method, rpc_status::unavailable));
  }
};

void responder::reply(message reply) const { state_->send(std::move(reply)); }
void responder::fail(rpc_status status) const { state_->send(message::make_status(state_->method, status)); }
std::uint16_t responder::method() const noexcept { return state_->method; }

namespace {

void server_core::advance(context_slot* slot) {
  const int rv = nng_aio_result(slot->aio);
  if (slot->sending) {
    if (rv != 0) {
      nng_msg_free(nng_aio_get_msg(slot->aio));
      nng_aio_set_msg(slot->aio, nullptr);
    }
    if (!closed.load()) receive(slot);
    return;
  }
  if (rv != 0) {
    if (rv != NNG_ECLOSED && !closed.load()) receive(slot);
    return;
  }
  message request(nng_aio_get_msg(slot->aio));
  nng_aio_set_msg(slot->aio, nullptr);
  auto st = std::make_shared<responder::state>();
  st->core = shared_from_this();
  st->slot = slot;
  st->method = request.method();
  responder reply_to(std::move(st));
  if (!request.well_formed()) {
    reply_to.fail(rpc_status::bad_request);
    return;
  }
  on_request(std::move(request), std::move(reply_to));
}

}  // namespace

struct rpc_server::impl {
  std::shared_ptr<server_core> core = std::make_shared<server_core>();
  std::string url;
};

rpc_server::rpc_server(const std::string& url, handler on_request, int contexts) : impl_(std::make_unique<impl>()) {
  auto& core = *impl_->core;
  core.on_request = std::move(on_request);
  detail::check(nng_rep0_open(&core.sock), "nng_rep0_open");
  for (int i = 0; i < contexts; ++i) {
    auto slot = std::make_unique<context_slot>();
    slot->core = &core;
    detail::check(nng_ctx_open(&slot->ctx, core.sock), "nng_ctx_open");
    detail::check(nng_aio_alloc(&slot->aio, &server_core::on_aio, slot.get()), "nng_aio_alloc");
    core.slots.push_back(std::move(slot));
  }
  impl_->url = detail::listen_and_resolve(core.sock, url);
  for (auto& slot : core.slots) core.receive(slot.get());
}

rpc_server::~rpc_server() { stop(); }

const std::string& rpc_server::url() const noexcept { return impl_->url; }

void rpc_server::stop() {
  auto& core = *impl_->core;
  {
    std::unique_lock lock(core.closing);
    if (core.closed.exchange(true)) return;
  }
  // Our receives and sends end first (no callback re-arms one once `closed`
  // is set), then contexts and socket close with nothing of ours in flight:
  // NNG 1.5's nng_close() can hang for good racing an operation (rpc_client.cc).
  for (auto& slot : core.slots) nng_aio_stop(slot->aio);
  for (auto& slot : core.slots) nng_ctx_close(slot->ctx);
  core.socket_closed = detail::close_within(core.sock, "rpc server");
}

}  // namespace sluice::messaging
