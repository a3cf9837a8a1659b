#include "services/gateway/connection.h"

#include <boost/asio/buffer.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include "common/base/endian.h"
#include "common/logging/logger.h"
#include "common/protocol/messages/api_versions.h"
#include "services/gateway/error_mapping.h"
#include "services/gateway/gateway_options.h"
#include "services/gateway/handlers/handler.h"

namespace sluice::gateway {

namespace asio = boost::asio;

namespace {

// The fixed start of every request header (key, version, correlation id),
// read without the rest; nullopt when the frame is shorter than that.
std::optional<protocol::request_header> raw_header(const std::vector<std::byte>& frame) {
  if (frame.size() < 8) return std::nullopt;
  protocol::reader in(frame);
  protocol::request_header h;
  h.api_key = in.read_int16();
  h.api_version = in.read_int16();
  h.correlation_id = in.read_int32();
  return h;
}

bool is_unsupported_api_versions(const protocol::request_header& h) {
  const handler* api_versions = find_handler(static_cast<std::int16_t>(protocol::api_key::api_versions));
  return h.api_key == static_cast<std::int16_t>(protocol::api_key::api_versions) &&
         (h.api_version < api_versions->min_version || h.api_version > api_versions->max_version);
}

}  // namespace

connection::connection(asio::ip::tcp::socket socket, gateway_services& services)
    : socket_(std::move(socket)), services_(services), log_(logging::get("gateway")) {
  boost::system::error_code ec;
  auto remote = socket_.remote_endpoint(ec);
  peer_ = ec ? std::string("?") : remote.address().to_string() + ":" + std::to_string(remote.port());
  client_host_ = ec ? std::string("/?") : "/" + remote.address().to_string();
  auto local = socket_.local_endpoint(ec);
  local_port_ = ec ? 0 : local.port();
  socket_.set_option(asio::ip::tcp::no_delay(true), ec);
}

void connection::start() { read_size(); }

void connection::read_size() {
  reading_ = true;
  asio::async_read(socket_, asio::buffer(size_buffer_),
                   [self = shared_from_this()](const boost::system::error_code& ec, std::size_t) {
                     self->reading_ = false;
                     if (self->closed_) return;
                     if (ec) return self->close(ec == asio::error::eof ? "" : ec.message());
                     self->read_body(load_be<std::int32_t>(self->size_buffer_.data()));
                   });
}

void connection::read_body(std::int32_t size) {
  // Smallest request header: api key, version, correlation id, client id length.
  constexpr std::int32_t min_header = 10;
  if (size < min_header) return close("frame of " + std::to_string(size) + " bytes is too small for a request");
  if (size > services_.options.max_request_bytes) {
    return close("frame of " + std::to_string(size) + " bytes is over socket.request.max.bytes (" +
                 std::to_string(services_.options.max_request_bytes) + ")");
  }
  auto frame = std::make_shared<std::vector<std::byte>>();
  // Address space only: pages are touched (and count) as bytes arrive.
  frame->reserve(static_cast<std::size_t>(size));
  read_more(std::move(frame), 0, static_cast<std::size_t>(size));
}

// The buffer is filled a chunk at a time within its reserved capacity (no
// reallocation, no copy), so a client that announces a 100 MiB frame and
// sends nothing makes the gateway hold one chunk, not 100 MiB.
void connection::read_more(std::shared_ptr<std::vector<std::byte>> frame, std::size_t have, std::size_t size) {
  constexpr std::size_t chunk = 1 << 20;
  frame->resize(std::min(size, have + chunk));
  reading_ = true;
  asio::async_read(socket_, asio::buffer(frame->data() + have, frame->size() - have),
                   [self = shared_from_this(), frame, size](const boost::system::error_code& ec, std::size_t) {
                     self->reading_ = false;
                     if (self->closed_) return;
                     if (ec) return self->close(ec == asio::error::eof ? "" : ec.message());
                     if (frame->size() < size) return self->read_more(frame, frame->size(), size);
                     self->dispatch(frame);
                     self->maybe_resume_reading();
                   });
}

void connection::dispatch(std::shared_ptr<std::vector<std::byte>> frame) {
  protocol::request_header header;
  std::span<const std::byte> body;
  try {
    protocol::reader in(*frame);
    header.decode(in);
    body = std::span<const std::byte>(*frame).subspan(in.position());
  } catch (const protocol::decode_error& e) {
    // An ApiVersions request newer than ours may use a header layout we
    // cannot predict; Kafka still answers it so the client can downgrade.
    if (auto raw = raw_header(*frame); raw && is_unsupported_api_versions(*raw)) {
      return answer_unsupported_api_versions(*raw);
    }
    return close(std::string("malformed request header: ") + e.what());
  }
  const handler* h = find_handler(header.api_key);
  if (h == nullptr) return close("unknown api key " + std::to_string(header.api_key));
  if (is_unsupported_api_versions(header)) return answer_unsupported_api_versions(header);
  if (header.api_version < h->min_version || header.api_version > h->max_version) {
    return close("unsupported version " + std::to_string(header.api_version) + " of api " +
                 std::string(protocol::api_name(h->key)));
  }
  if (header.api_version < h->min_served_version) {
    return close("version " + std::to_string(header.api_version) + " of api " + std::string(protocol::api_name(h->key)) +
                 " is advertised for client feature checks only");
  }
  auto seq = open_slot();
  request_context ctx{header, frame, body, &services_, make_reply_sink(seq), log_, produce_order_, group_order_, client_host_, local_port_};
  try {
    h->handle(std::move(ctx));
  } catch (const protocol::decode_error& e) {
    close(std::string("malformed ") + std::string(protocol::api_name(h->key)) + " v" + std::to_string(header.api_version) +
          " request: " + e.what());
  } catch (const std::exception& e) {
    log_->error("{}: {} v{} failed: {}", peer_, std::string(protocol::api_name(h->key)), header.api_version, e.what());
    close("internal error");
  }
}

// Kafka answers an ApiVersions request of a version it does not know with
// v0 and UNSUPPORTED_VERSION plus its ranges, so the client can retry lower.
void connection::answer_unsupported_api_versions(const protocol::request_header& header) {
  protocol::api_versions_response response;
  response.error_code = code(protocol::error_code::unsupported_version);
  for (const auto& h : handlers()) {
    auto& entry = response.api_keys.emplace_back();
    entry.api_key = static_cast<std::int16_t>(h.key);
    entry.min_version = h.min_version;
    entry.max_version = h.max_version;
  }
  auto v0 = header;
  v0.api_version = 0;
  auto seq = open_slot();
  complete(seq, encode_response(v0, response), true);
}

std::uint64_t connection::open_slot() {
  slots_.emplace_back();
  return first_seq_ + slots_.size() - 1;
}

reply_sink connection::make_reply_sink(std::uint64_t seq) {
  auto self = shared_from_this();
  auto on_strand = [self, seq](std::vector<std::byte> frame, bool send) {
    asio::post(self->socket_.get_executor(), [self, seq, frame = std::move(frame), send]() mutable {
      self->complete(seq, std::move(frame), send);
    });
  };
  return reply_sink([on_strand](std::vector<std::byte> frame) { on_strand(std::move(frame), true); },
                    [on_strand] { on_strand({}, false); });
}

void connection::complete(std::uint64_t seq, std::vector<std::byte> frame, bool send) {
  if (closed_) return;
  auto& s = slots_.at(seq - first_seq_);
  s.done = true;
  s.send = send;
  s.frame = std::move(frame);
  write_ready();
  maybe_resume_reading();
}

void connection::write_ready() {
  if (write_in_flight_ || closed_) return;
  while (!slots_.empty() && slots_.front().done) {
    if (slots_.front().send) writing_.push_back(std::move(slots_.front().frame));
    slots_.pop_front();
    ++first_seq_;
  }
  if (writing_.empty()) return;
  std::vector<asio::const_buffer> buffers;
  buffers.reserve(writing_.size());
  for (const auto& f : writing_) buffers.emplace_back(asio::buffer(f));
  write_in_flight_ = true;
  asio::async_write(socket_, buffers, [self = shared_from_this()](const boost::system::error_code& ec, std::size_t) {
    self->write_in_flight_ = false;
    self->writing_.clear();
    if (self->closed_) return;
    if (ec) return self->close(ec.message());
    self->write_ready();
  });
}

void connection::maybe_resume_reading() {
  if (!reading_ && !closed_ && slots_.size() < services_.options.max_in_flight) read_size();
}

void connection::close(std::string_view why) {
  if (closed_) return;
  closed_ = true;
  if (!why.empty()) log_->warn("closing connection from {}: {}", peer_, why);
  boost::system::error_code ec;
  socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ec);
  socket_.close(ec);
}

}  // namespace sluice::gateway
