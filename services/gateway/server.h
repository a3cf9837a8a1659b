#pragma once
// The Kafka listener: accepts connections and runs them on the io threads.
// It listens on the gateway's port and, for each further broker id the
// gateway fronts (broker_map.h), on port + slot * broker_port_step, so that
// every broker id has an address of its own.
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>

#include "services/gateway/request_context.h"

namespace sluice::gateway {

/// Owns the acceptors and the io threads. Slot 0 (the gateway's port) is
/// bound for the server's whole life; slots 1.. open and close as the broker
/// ids this gateway fronts change (serve_slots), their accept loops on one
/// strand so opening, accepting and closing never race.
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

  /// Listens on the ports of slots 1..slots-1 and closes those above, from
  /// any thread. A port that cannot be bound is logged and tried again at
  /// the next call (the next metadata change).
  void serve_slots(int slots);

 private:
  using acceptor_ptr = std::shared_ptr<boost::asio::ip::tcp::acceptor>;
  void accept(acceptor_ptr acceptor);
  void open_slot(int slot);

  gateway_services& services_;
  boost::asio::ip::address host_;
  std::uint16_t port_;
  boost::asio::strand<boost::asio::io_context::executor_type> slots_strand_;
  acceptor_ptr acceptor_;               // slot 0
  std::map<int, acceptor_ptr> extra_;   // slots 1..; only on slots_strand_
  // Keeps the io threads alive while nothing is pending.
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  std::vector<std::thread> threads_;
};

}  // namespace sluice::gateway
