#include "services/gateway/server.h"

#include <boost/asio/post.hpp>

#include "common/logging/logger.h"
#include "services/gateway/connection.h"
#include "services/gateway/gateway_options.h"

namespace sluice::gateway {

namespace asio = boost::asio;

namespace {

void listen_on(asio::ip::tcp::acceptor& acceptor, const asio::ip::tcp::endpoint& endpoint) {
  acceptor.open(endpoint.protocol());
  acceptor.set_option(asio::socket_base::reuse_address(true));
  acceptor.bind(endpoint);
  acceptor.listen(asio::socket_base::max_listen_connections);
}

}  // namespace

server::server(gateway_services& services, const std::string& host, std::uint16_t port)
    : services_(services),
      host_(asio::ip::make_address(host)),
      slots_strand_(asio::make_strand(services.io)),
      acceptor_(std::make_shared<asio::ip::tcp::acceptor>(slots_strand_)),
      work_(asio::make_work_guard(services.io)) {
  listen_on(*acceptor_, asio::ip::tcp::endpoint(host_, port));
  port_ = acceptor_->local_endpoint().port();
}

server::~server() { stop(); }

std::uint16_t server::port() const { return port_; }

void server::start(int threads) {
  asio::post(slots_strand_, [this] { accept(acceptor_); });
  for (int i = 0; i < std::max(1, threads); ++i) {
    threads_.emplace_back([this] { services_.io.run(); });
  }
}

void server::stop() {
  boost::system::error_code ec;
  acceptor_->close(ec);
  work_.reset();
  services_.io.stop();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
  for (auto& [slot, acceptor] : extra_) acceptor->close(ec);  // the io threads are gone: no race
  extra_.clear();
}

void server::serve_slots(int slots) {
  asio::post(slots_strand_, [this, slots] {
    for (int slot = 1; slot < slots; ++slot)
      if (!extra_.contains(slot)) open_slot(slot);
    // Closing only stops new connections: open ones keep being served, as
    // every gateway serves every partition.
    for (auto it = extra_.lower_bound(std::max(slots, 1)); it != extra_.end(); it = extra_.erase(it)) {
      boost::system::error_code ec;
      it->second->close(ec);
      logging::get("gateway")->info("closed the port of broker slot {}", it->first);
    }
  });
}

void server::open_slot(int slot) {
  const int port = port_ + slot * services_.options.broker_port_step;
  auto acceptor = std::make_shared<asio::ip::tcp::acceptor>(slots_strand_);
  try {
    if (port > 65535) throw std::runtime_error("above 65535");
    listen_on(*acceptor, asio::ip::tcp::endpoint(host_, static_cast<std::uint16_t>(port)));
  } catch (const std::exception& e) {
    logging::get("gateway")->error("cannot listen on port {} for broker slot {}: {} (clients sent there fail until "
                                   "it can)",
                                   port, slot, e.what());
    return;
  }
  logging::get("gateway")->info("listening on port {} for broker slot {}", port, slot);
  extra_[slot] = acceptor;
  accept(std::move(acceptor));
}

void server::accept(acceptor_ptr acceptor) {
  // Each connection gets its own strand: its handlers never run concurrently
  // even with several io threads. The accept handler runs on slots_strand_
  // (the acceptor's executor).
  auto* raw = acceptor.get();
  raw->async_accept(asio::make_strand(services_.io),
                    [this, acceptor = std::move(acceptor)](const boost::system::error_code& ec,
                                                           asio::ip::tcp::socket socket) mutable {
                      if (ec == asio::error::operation_aborted || !acceptor->is_open()) return;
                      if (!ec) {
                        std::make_shared<connection>(std::move(socket), services_)->start();
                      } else {
                        logging::get("gateway")->warn("accept failed: {}", ec.message());
                      }
                      accept(std::move(acceptor));
                    });
}

}  // namespace sluice::gateway
