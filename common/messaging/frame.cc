#include "common/messaging/frame.h"

#include <cstring>
#include <new>

#include <google/protobuf/message_lite.h>
#include <nng/nng.h>

#include "common/base/endian.h"

namespace sluice::messaging {
namespace {

nng_msg* allocate(std::size_t size) {
  nng_msg* m = nullptr;
  if (nng_msg_alloc(&m, size) != 0) throw std::bad_alloc();
  return m;
}

}  // namespace

const char* to_string(rpc_status s) {
  switch (s) {
    case rpc_status::ok: return "ok";
    case rpc_status::unknown_method: return "unknown method";
    case rpc_status::bad_request: return "bad request";
    case rpc_status::unavailable: return "unavailable";
    case rpc_status::timed_out: return "timed out";
    case rpc_status::shutting_down: return "shutting down";
  }
  return "invalid status";
}

message& message::operator=(message&& other) noexcept {
  if (this != &other) {
    if (msg_) nng_msg_free(msg_);
    msg_ = other.release();
  }
  return *this;
}

message::~message() {
  if (msg_) nng_msg_free(msg_);
}

void write_frame_prefix(std::byte* at, std::uint16_t method, rpc_status status, std::size_t header_len) noexcept {
  store_be<std::uint16_t>(at, method);
  store_be<std::uint16_t>(at + 2, static_cast<std::uint16_t>(status));
  store_be<std::uint32_t>(at + 4, static_cast<std::uint32_t>(header_len));
}

message message::make(std::uint16_t method, const google::protobuf::MessageLite& header,
                      std::size_t payload_hint, rpc_status status) {
  const std::size_t header_len = header.ByteSizeLong();
  message out(allocate(frame_prefix_size + header_len));
  if (payload_hint > 0) nng_msg_reserve(out.msg_, frame_prefix_size + header_len + payload_hint);
  auto* p = static_cast<std::byte*>(nng_msg_body(out.msg_));
  write_frame_prefix(p, method, status, header_len);
  header.SerializeWithCachedSizesToArray(reinterpret_cast<std::uint8_t*>(p + frame_prefix_size));
  return out;
}

message message::make_status(std::uint16_t method, rpc_status status) {
  message out(allocate(frame_prefix_size));
  write_frame_prefix(static_cast<std::byte*>(nng_msg_body(out.msg_)), method, status, 0);
  return out;
}

void message::append_payload(const void* data, std::size_t size) {
  if (nng_msg_append(msg_, data, size) != 0) throw std::bad_alloc();
}

std::span<std::byte> message::extend_payload(std::size_t size) {
  const std::size_t old_len = nng_msg_len(msg_);
  if (nng_msg_realloc(msg_, old_len + size) != 0) throw std::bad_alloc();
  return {static_cast<std::byte*>(nng_msg_body(msg_)) + old_len, size};
}

void message::shrink_payload(std::size_t size) { nng_msg_chop(msg_, size); }

std::span<const std::byte> message::body() const noexcept {
  if (!msg_) return {};
  return {static_cast<const std::byte*>(nng_msg_body(msg_)), nng_msg_len(msg_)};
}

bool message::well_formed() const noexcept {
  auto b = body();
  return b.size() >= frame_prefix_size && load_be<std::uint32_t>(b.data() + 4) <= b.size() - frame_prefix_size;
}

std::uint16_t message::method() const noexcept {
  auto b = body();
  return b.size() >= 2 ? load_be<std::uint16_t>(b.data()) : 0;
}

rpc_status message::status() const noexcept {
  auto b = body();
  return b.size() >= 4 ? static_cast<rpc_status>(load_be<std::uint16_t>(b.data() + 2)) : rpc_status::bad_request;
}

bool message::parse_header(google::protobuf::MessageLite& out) const {
  if (!well_formed()) return false;
  auto b = body();
  return out.ParseFromArray(b.data() + frame_prefix_size, static_cast<int>(load_be<std::uint32_t>(b.data() + 4)));
}

std::span<const std::byte> message::payload() const noexcept {
  if (!well_formed()) return {};
  auto b = body();
  return b.subspan(frame_prefix_size + load_be<std::uint32_t>(b.data() + 4));
}

std::span<std::byte> message::mutable_payload() noexcept {
  auto p = payload();
  return {const_cast<std::byte*>(p.data()), p.size()};
}

std::size_t message::size() const noexcept { return msg_ ? nng_msg_len(msg_) : 0; }

}  // namespace sluice::messaging
