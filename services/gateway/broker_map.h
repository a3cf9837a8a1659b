#pragma once
// The Kafka brokers clients see. Every partition server is a broker, under
// its own node id, so replicas, ISR and leaders in Metadata are the real
// ones; its address is a gateway's, since any gateway serves any partition
// (it forwards to the partition server). The rule that spreads the ids over
// the gateways is a pure function of the metadata, so every gateway
// advertises the same address for an id:
//
// - live partition servers sorted by node id, live gateways likewise; the
//   i-th id goes to gateway i % G, at that gateway's slot i / G;
// - slot s of a gateway listens on its Kafka port + s * port_step (slot 0
//   is the port it registered, so with no more partition servers than
//   gateways no extra port is needed). port_step is a gateway option, the
//   same on every gateway.
//
// A broker id therefore has an address of its own, which clients need
// (librdkafka before 2.1 takes ids sharing an address for one broker), and a
// request tells which id it was sent to by the port it arrived on
// (broker_at_port): ListGroups and ListTransactions answer for that id only.
// When partition servers or gateways come and go the ids move: the next
// Metadata carries the new addresses, and a connection keeps working since
// every gateway serves every partition.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/cluster/metadata_view.h"

namespace sluice::gateway {

/// One broker as Metadata, DescribeCluster and FindCoordinator give it.
struct broker_address {
  std::int32_t node_id = -1;  // the partition server's node id
  std::int32_t gateway = -1;  // node id of the gateway fronting it
  int slot = 0;               // which of that gateway's ports
  std::string host;
  std::int32_t port = -1;
};

/// Every live partition server with its address, sorted by node id; empty
/// while no partition server or no gateway is registered.
std::vector<broker_address> advertised_brokers(const cluster::metadata_view& view, int port_step);

/// The address of broker `node_id`, or nullopt when it is no live partition server.
std::optional<broker_address> broker_address_of(const cluster::metadata_view& view, std::int32_t node_id,
                                                int port_step);

/// How many broker ids gateway `gateway` fronts (its slots 0..n-1).
int slots_of_gateway(const cluster::metadata_view& view, std::int32_t gateway);

/// The broker id a connection to `gateway` on `local_port` was addressed to,
/// given the gateway's registered `kafka_port`; -1 for a port that fronts no
/// broker now (a bootstrap-only gateway, or an id that moved away).
std::int32_t broker_at_port(const cluster::metadata_view& view, std::int32_t gateway, std::int32_t kafka_port,
                            std::int32_t local_port, int port_step);

/// The broker clients are told coordinates the keys of partition `partition`
/// of internal topic `topic` (a group's or a transactional id's shard):
/// a fixed hash over the broker ids, the same on every gateway; -1 when no
/// broker is registered.
std::int32_t coordinator_broker(const cluster::metadata_view& view, std::string_view topic, std::int32_t partition);

/// The broker named as controller (Metadata, DescribeCluster): the lowest
/// live partition-server id, so every gateway names the same; -1 without one.
std::int32_t controller_broker(const cluster::metadata_view& view);

}  // namespace sluice::gateway
