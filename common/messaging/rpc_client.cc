#include "common/messaging/rpc_client.h"

#include <atomic>
#include <future>
#include <mutex>
#include <shared_mutex>
#include <vector>

#include <nng/nng.h>
#include <nng/protocol/reqrep0/req.h>

#include "common/messaging/nng_util.h"

namespace sluice::messaging {

/// One in-flight call: an NNG context with its aio, reused after the reply.
/// Phases: send -> receive -> back to the free list.
struct call_slot {
  rpc_client::impl* owner = nullptr;
  nng_ctx ctx{};
  nng_aio* aio = nullptr;
  nng_duration timeout_ms = 0;
  bool receiving = false;
  rpc_client::callback done;
};

struct rpc_client::impl {
  std::string url;
  nng_socket sock{};
  std::atomic<bool> closed{false};
  bool socket_closed = false;  // nng_close() returned: the aios may be freed
  // Held shared while a call is handed to NNG, exclusively while close()
  // marks the client closed: after that no call can start on a slot that
  // close() has already stopped.
  std::shared_mutex closing;
  std::mutex mutex;
  std::vector<std::unique_ptr<call_slot>> all;  // owns every slot ever made
  std::vector<call_slot*> idle;

  static void on_aio(void* arg) { static_cast<call_slot*>(arg)->owner->advance(static_cast<call_slot*>(arg)); }

  call_slot* acquire() {
    std::lock_guard lock(mutex);
    if (closed.load()) return nullptr;
    if (!idle.empty()) {
      call_slot* s = idle.back();
      idle.pop_back();
      return s;
    }
    auto s = std::make_unique<call_slot>();
    s->owner = this;
    if (nng_ctx_open(&s->ctx, sock) != 0) return nullptr;
    if (nng_aio_alloc(&s->aio, &impl::on_aio, s.get()) != 0) {
      nng_ctx_close(s->ctx);
      return nullptr;
    }
    all.push_back(std::move(s));
    return all.back().get();
  }

  void finish(call_slot* s, rpc_status status, message reply) {
    callback done = std::move(s->done);
    s->done = nullptr;
    {
      std::lock_guard lock(mutex);
      idle.push_back(s);
    }
    if (done) done(status, std::move(reply));
  }

  static rpc_status failure_status(int rv) { return rv == NNG_ETIMEDOUT ? rpc_status::timed_out : rpc_status::unavailable; }

  void advance(call_slot* s) {
    const int rv = nng_aio_result(s->aio);
    if (!s->receiving) {
      if (rv != 0) {
        nng_msg_free(nng_aio_get_msg(s->aio));  // a failed send leaves the message with us
        nng_aio_set_msg(s->aio, nullptr);
        finish(s, failure_status(rv), message{});
        return;
      }
      s->receiving = true;
      nng_aio_set_timeout(s->aio, s->timeout_ms);
      nng_ctx_recv(s->ctx, s->aio);
      return;
    }
    if (rv != 0) {
      finish(s, failure_status(rv), message{});
      return;
    }
    message reply(nng_aio_get_msg(s->aio));
    nng_aio_set_msg(s->aio, nullptr);
    if (!reply.well_formed()) {
      finish(s, rpc_status::bad_request, message{});
      return;
    }
    const rpc_status status = reply.status();
    finish(s, status, status == rpc_status::ok ? std::move(reply) : message{});
  }
};

rpc_client::rpc_client(std::string url) : impl_(std::make_shared<impl>()) {
  impl_->url = std::move(url);
  detail::check(nng_req0_open(&impl_->sock), "nng_req0_open");
  // A request is never re-sent by NNG on its own: a produce must not be
  // appended twice because a reply was slow. Callers decide about retries.
  detail::check(nng_socket_set_ms(impl_->sock, NNG_OPT_REQ_RESENDTIME, NNG_DURATION_INFINITE), "nng resendtime");
  detail::dial_in_background(impl_->sock, impl_->url);
}

rpc_client::~rpc_client() {
  close();
  if (!impl_->socket_closed) return;  // NNG may still use them: leaked, not freed under it
  for (auto& s : impl_->all) nng_aio_free(s->aio);
}

const std::string& rpc_client::url() const noexcept { return impl_->url; }

void rpc_client::close() {
  std::vector<call_slot*> slots;
  {
    std::unique_lock lock(impl_->closing);
    if (impl_->closed.exchange(true)) return;
    std::lock_guard slots_lock(impl_->mutex);
    for (auto& s : impl_->all) slots.push_back(s.get());
  }
  // Our operations end before the socket closes: calls in flight complete
  // with NNG_ECANCELED (their callbacks run now), then contexts and socket
  // close with nothing of ours pending. NNG 1.5's nng_close() can hang for
  // good when it races an operation still in flight on the socket (seen as a
  // service that never exits on SIGTERM; nanomsg/nng#1543, #1813).
  for (auto* s : slots) nng_aio_stop(s->aio);
  // A callback that was starting the receive as its aio stopped got no
  // completion (NNG 1.5 drops operations on a stopped aio): fail those calls.
  for (auto* s : slots)
    if (s->done) impl_->finish(s, rpc_status::unavailable, message{});
  for (auto* s : slots) nng_ctx_close(s->ctx);
  impl_->socket_closed = detail::close_within(impl_->sock, "rpc client");
}

void rpc_client::call(message request, std::chrono::milliseconds timeout, callback done) {
  {
    std::shared_lock lock(impl_->closing);
    if (call_slot* s = impl_->acquire()) {
      s->done = std::move(done);
      s->receiving = false;
      s->timeout_ms = static_cast<nng_duration>(timeout.count());
      nng_aio_set_timeout(s->aio, s->timeout_ms);
      nng_aio_set_msg(s->aio, request.release());
      nng_ctx_send(s->ctx, s->aio);
      return;
    }
  }
  done(rpc_status::unavailable, message{});  // closed (or out of NNG resources)
}

std::pair<rpc_status, message> rpc_client::call_sync(message request, std::chrono::milliseconds timeout) {
  std::promise<std::pair<rpc_status, message>> promise;
  auto future = promise.get_future();
  call(std::move(request), timeout, [&promise](rpc_status status, message reply) {
    promise.set_value({status, std::move(reply)});
  });
  return future.get();
}

}  // namespace sluice::messaging
