#pragma once
// Settings of one gateway process (command-line flags, see docs/configuration.md).
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

namespace sluice::gateway {

struct gateway_options {
  std::string host = "127.0.0.1";          // address to listen on
  std::uint16_t port = 9092;
  std::string advertised_host = "localhost";  // what Metadata tells clients
  bool auto_create_topics = false;          // Kafka's auto.create.topics.enable (off here by default)
  int io_threads = 1;
  // Kafka's socket.request.max.bytes: a larger frame closes the connection.
  std::int32_t max_request_bytes = 100 * 1024 * 1024;
  // Requests one connection may have in flight before we stop reading from it.
  std::size_t max_in_flight = 256;
  // How long admin calls wait for the new state to reach this gateway's metadata.
  std::chrono::milliseconds admin_propagation_timeout{10000};
  // Kafka's max.incremental.fetch.session.cache.slots: fetch sessions
  // (KIP-227) this gateway keeps; 0 answers every fetch without a session.
  std::size_t fetch_session_cache_slots = 1000;
  // Ports between the broker ids one gateway fronts (broker_map.h): its
  // k-th id is served on port + k * broker_port_step. Give every gateway the
  // same, larger than the number of gateways sharing a port range (sluice up
  // gives gateways consecutive ports).
  int broker_port_step = 100;
};

}  // namespace sluice::gateway
