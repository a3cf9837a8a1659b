#pragma once
// The Kafka listener: accepts connections and runs them on the io threads.
#include <memory>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "services/gateway/request_context.h"

namespace sluice::gateway {

class server {
 public:
  /// Binds host:port (SO_REUSEADDR, so a restarted gateway gets its port back
  /// at once); throws boost::system::system_error when it cannot.
  server(gateway_services& services, const std::string& host, std::uint16_t port);
  ~server();

  /// Starts accepting on `threads` io threads.
  void start(int threads);
  /// Stops accepting, closes the io_context and joins the threads.
  void stop();
  std::uint16_t port() const;

 private:
  void accept();

  gateway_services& services_;
  boost::asio::ip::tcp::acceptor acceptor_;
  // Keeps the io threads alive while nothing is pending.
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  std::vector<std::thread> threads_;
};

}  // namespace sluice::gateway
