#pragma once
// Wire layout of every NNG message between Sluice services:
//
//   offset 0  u16 method        which RPC (common/messaging/methods.h)
//   offset 2  u16 status        rpc_status; 0 in requests
//   offset 4  u32 header_len    bytes of the protobuf header that follows
//   offset 8  header            a serialized protobuf message
//   then      payload           raw bytes (record batches), described by the header
//
// All integers are big-endian. Record bytes ride in the payload so they are
// never copied into or out of protobuf strings.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

struct nng_msg;
namespace google::protobuf { class MessageLite; }

namespace sluice::messaging {

inline constexpr std::size_t frame_prefix_size = 8;

enum class rpc_status : std::uint16_t {
  ok = 0,
  unknown_method = 1,  // the server has no handler for the method
  bad_request = 2,     // the header did not parse
  unavailable = 3,     // set locally: the transport failed or the peer is gone
  timed_out = 4,       // set locally: no reply within the deadline
  shutting_down = 5,   // the server is stopping
};

const char* to_string(rpc_status);

/// Writes the 8-byte prefix above at `at`; the header's `header_len` bytes
/// follow it. The one writer of the layout (messages, and the partition
/// server's replies built around a payload read first).
void write_frame_prefix(std::byte* at, std::uint16_t method, rpc_status status, std::size_t header_len) noexcept;

/// One NNG message in the frame layout above. Owns its nng_msg; move-only.
/// Wrap it in std::shared_ptr to pass it through CAF (see caf_types.h).
class message {
 public:
  message() = default;
  explicit message(nng_msg* adopted) noexcept : msg_(adopted) {}
  message(message&& other) noexcept : msg_(other.release()) {}
  message& operator=(message&& other) noexcept;
  message(const message&) = delete;
  message& operator=(const message&) = delete;
  ~message();

  /// A new message holding `header`; reserve room for `payload_hint` more bytes.
  static message make(std::uint16_t method, const google::protobuf::MessageLite& header,
                      std::size_t payload_hint = 0,
                      rpc_status status = rpc_status::ok);
  /// A reply carrying only a failure status (no header).
  static message make_status(std::uint16_t method, rpc_status status);

  void append_payload(const void* data, std::size_t size);
  void append_payload(std::span<const std::byte> bytes) { append_payload(bytes.data(), bytes.size()); }
  /// Grows the payload by `size` bytes and returns them, for reading a file straight in.
  std::span<std::byte> extend_payload(std::size_t size);
  /// Drops the last `size` payload bytes (after a short read).
  void shrink_payload(std::size_t size);

  bool valid() const noexcept { return msg_ != nullptr; }
  /// False when the frame prefix is missing or header_len overruns the body.
  bool well_formed() const noexcept;
  std::uint16_t method() const noexcept;
  rpc_status status() const noexcept;
  /// Parses the header into `out`; false if it does not parse.
  bool parse_header(google::protobuf::MessageLite& out) const;
  std::span<const std::byte> payload() const noexcept;
  std::span<std::byte> mutable_payload() noexcept;
  std::size_t size() const noexcept;

  nng_msg* get() const noexcept { return msg_; }
  nng_msg* release() noexcept {
    nng_msg* m = msg_;
    msg_ = nullptr;
    return m;
  }

 private:
  std::span<const std::byte> body() const noexcept;
  nng_msg* msg_ = nullptr;
};

}  // namespace sluice::messaging
