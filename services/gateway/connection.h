#pragma once
// One client TCP connection: reads size-prefixed Kafka frames, hands each to
// its handler, and writes the answers back in request order even when they
// complete out of order (pipelining). A malformed frame closes only this
// connection.
#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <spdlog/logger.h>

#include "services/gateway/request_context.h"

namespace sluice::gateway {

class connection : public std::enable_shared_from_this<connection> {
 public:
  /// `socket` must use a strand executor: every member runs on it.
  connection(boost::asio::ip::tcp::socket socket, gateway_services& services);
  void start();

 private:
  // One answer owed to the client, in request order.
  struct slot {
    bool done = false;
    bool send = false;  // false: acks=0 produce, nothing goes back
    std::vector<std::byte> frame;
  };

  void read_size();
  void read_body(std::int32_t size);
  void read_more(std::shared_ptr<std::vector<std::byte>> frame, std::size_t have, std::size_t size);
  void dispatch(std::shared_ptr<std::vector<std::byte>> frame);
  void answer_unsupported_api_versions(const protocol::request_header& header);
  std::uint64_t open_slot();
  reply_sink make_reply_sink(std::uint64_t seq);
  void complete(std::uint64_t seq, std::vector<std::byte> frame, bool send);
  void write_ready();
  void maybe_resume_reading();
  void close(std::string_view why);

  boost::asio::ip::tcp::socket socket_;
  gateway_services& services_;
  std::shared_ptr<spdlog::logger> log_;
  std::string peer_;
  std::array<std::byte, 4> size_buffer_{};
  std::shared_ptr<serial_queue> produce_order_ = std::make_shared<serial_queue>();
  std::shared_ptr<serial_queue> group_order_ = std::make_shared<serial_queue>();
  std::string client_host_;
  std::uint16_t local_port_ = 0;
  std::deque<slot> slots_;
  std::uint64_t first_seq_ = 0;  // sequence number of slots_.front()
  std::vector<std::vector<std::byte>> writing_;
  bool write_in_flight_ = false;
  bool reading_ = false;
  bool closed_ = false;
};

}  // namespace sluice::gateway
