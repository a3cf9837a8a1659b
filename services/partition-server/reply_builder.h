#pragma once
// Builds a reply whose payload is written before its header is known.
#include <cstddef>
#include <cstdint>
#include <span>

#include "common/messaging/frame.h"

struct nng_msg;

namespace sluice::partition_server {

/// A fetch reply's header (offsets, records_size per partition) is only
/// known after every partition has been read, but the frame puts the header
/// first (common/messaging/frame.h). Rather than copy the payload behind a
/// header afterwards, the builder leaves `header_room` bytes in front of the
/// payload, reads straight into the message, and at the end writes the frame
/// prefix and header just before the payload and trims the unused room off
/// the front (nng_msg_trim is O(1)). If the header outgrows the room it falls
/// back to one copy.
///
/// Owned by one fetch at a time; not thread-safe.
class reply_builder {
 public:
  /// `payload_hint`: capacity to reserve up front so reads do not realloc.
  reply_builder(std::size_t header_room, std::size_t payload_hint);
  ~reply_builder();
  reply_builder(reply_builder&& other) noexcept;
  reply_builder& operator=(reply_builder&& other) noexcept;
  reply_builder(const reply_builder&) = delete;
  reply_builder& operator=(const reply_builder&) = delete;

  /// `n` more payload bytes to fill in.
  std::span<std::byte> extend(std::size_t n);
  /// Gives back the last `n` payload bytes (a read filled fewer than asked).
  void shrink(std::size_t n);
  std::size_t payload_size() const noexcept;

  /// The finished message; the builder is empty afterwards.
  messaging::message finish(std::uint16_t method, const google::protobuf::MessageLite& header);

 private:
  nng_msg* msg_ = nullptr;
  std::size_t room_ = 0;
};

}  // namespace sluice::partition_server
