#include "services/partition-server/reply_builder.h"

#include <cstring>
#include <new>
#include <utility>

#include <google/protobuf/message_lite.h>
#include <nng/nng.h>

namespace sluice::partition_server {

reply_builder::reply_builder(std::size_t header_room, std::size_t payload_hint)
    : room_(header_room + messaging::frame_prefix_size) {
  if (nng_msg_alloc(&msg_, room_) != 0) throw std::bad_alloc();
  if (payload_hint > 0) nng_msg_reserve(msg_, room_ + payload_hint);
}

reply_builder::~reply_builder() {
  if (msg_) nng_msg_free(msg_);
}

reply_builder::reply_builder(reply_builder&& other) noexcept
    : msg_(std::exchange(other.msg_, nullptr)), room_(other.room_) {}

reply_builder& reply_builder::operator=(reply_builder&& other) noexcept {
  if (this != &other) {
    if (msg_) nng_msg_free(msg_);
    msg_ = std::exchange(other.msg_, nullptr);
    room_ = other.room_;
  }
  return *this;
}

std::span<std::byte> reply_builder::extend(std::size_t n) {
  const std::size_t old_len = nng_msg_len(msg_);
  if (nng_msg_realloc(msg_, old_len + n) != 0) throw std::bad_alloc();
  return {static_cast<std::byte*>(nng_msg_body(msg_)) + old_len, n};
}

void reply_builder::shrink(std::size_t n) { nng_msg_chop(msg_, n); }

std::size_t reply_builder::payload_size() const noexcept { return msg_ ? nng_msg_len(msg_) - room_ : 0; }

messaging::message reply_builder::finish(std::uint16_t method, const google::protobuf::MessageLite& header) {
  const std::size_t header_len = header.ByteSizeLong();
  const std::size_t need = messaging::frame_prefix_size + header_len;
  auto* body = static_cast<std::byte*>(nng_msg_body(msg_));
  if (need <= room_) {
    std::byte* at = body + (room_ - need);
    messaging::write_frame_prefix(at, method, messaging::rpc_status::ok, header_len);
    header.SerializeWithCachedSizesToArray(reinterpret_cast<std::uint8_t*>(at + messaging::frame_prefix_size));
    nng_msg_trim(msg_, room_ - need);
    return messaging::message(std::exchange(msg_, nullptr));
  }
  // Header larger than planned: copy the payload once behind a fresh header.
  auto out = messaging::message::make(method, header, payload_size());
  out.append_payload(body + room_, payload_size());
  nng_msg_free(std::exchange(msg_, nullptr));
  return out;
}

}  // namespace sluice::partition_server
