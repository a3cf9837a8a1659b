#include "services/gateway/server.h"

#include <boost/asio/strand.hpp>

#include "common/logging/logger.h"
#include "services/gateway/connection.h"

namespace sluice::gateway {

namespace asio = boost::asio;

server::server(gateway_services& services, const std::string& host, std::uint16_t port)
    : services_(services), acceptor_(services.io), work_(asio::make_work_guard(services.io)) {
  asio::ip::tcp::endpoint endpoint(asio::ip::make_address(host), port);
  acceptor_.open(endpoint.protocol());
  acceptor_.set_option(asio::socket_base::reuse_address(true));
  acceptor_.bind(endpoint);
  acceptor_.listen(asio::socket_base::max_listen_connections);
}

server::~server() { stop(); }

std::uint16_t server::port() const { return acceptor_.local_endpoint().port(); }

void server::start(int threads) {
  accept();
  for (int i = 0; i < std::max(1, threads); ++i) {
    threads_.emplace_back([this] { services_.io.run(); });
  }
}

void server::stop() {
  boost::system::error_code ec;
  acceptor_.close(ec);
  work_.reset();
  services_.io.stop();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
}

void server::accept() {
  // Each connection gets its own strand: its handlers never run concurrently
  // even with several io threads.
  acceptor_.async_accept(asio::make_strand(services_.io),
                         [this](const boost::system::error_code& ec, asio::ip::tcp::socket socket) {
                           if (ec == asio::error::operation_aborted) return;
                           if (!ec) {
                             std::make_shared<connection>(std::move(socket), services_)->start();
                           } else {
                             logging::get("gateway")->warn("accept failed: {}", ec.message());
                           }
                           accept();
                         });
}

}  // namespace sluice::gateway
