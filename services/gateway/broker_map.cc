#include "services/gateway/broker_map.h"

#include <algorithm>

namespace sluice::gateway {
namespace {

// Fixed (not std::hash) so that every gateway computes the same.
std::uint32_t fnv1a(std::string_view s) {
  std::uint32_t h = 2166136261u;
  for (unsigned char c : s) {
    h ^= c;
    h *= 16777619u;
  }
  return h;
}

std::vector<std::int32_t> broker_ids(const cluster::metadata_view& view) {
  std::vector<std::int32_t> ids;
  for (const auto* ps : view.services(cluster::mv1::PARTITION_SERVER)) ids.push_back(ps->node_id());
  return ids;  // services() is sorted by node id
}

broker_address address_at(const std::vector<const cluster::mv1::ServiceInfo*>& gateways, std::size_t index,
                          std::int32_t node_id, int port_step) {
  const auto* gateway = gateways[index % gateways.size()];
  broker_address out;
  out.node_id = node_id;
  out.gateway = gateway->node_id();
  out.slot = static_cast<int>(index / gateways.size());
  out.host = gateway->kafka_host();
  out.port = gateway->kafka_port() + out.slot * port_step;
  return out;
}

}  // namespace

std::vector<broker_address> advertised_brokers(const cluster::metadata_view& view, int port_step) {
  std::vector<broker_address> out;
  auto gateways = view.gateways();
  if (gateways.empty()) return out;
  auto ids = broker_ids(view);
  for (std::size_t i = 0; i < ids.size(); ++i) out.push_back(address_at(gateways, i, ids[i], port_step));
  return out;
}

std::optional<broker_address> broker_address_of(const cluster::metadata_view& view, std::int32_t node_id,
                                                int port_step) {
  auto gateways = view.gateways();
  if (gateways.empty()) return std::nullopt;
  auto ids = broker_ids(view);
  auto it = std::lower_bound(ids.begin(), ids.end(), node_id);
  if (it == ids.end() || *it != node_id) return std::nullopt;
  return address_at(gateways, static_cast<std::size_t>(it - ids.begin()), node_id, port_step);
}

int slots_of_gateway(const cluster::metadata_view& view, std::int32_t gateway) {
  auto gateways = view.gateways();
  auto it = std::find_if(gateways.begin(), gateways.end(), [&](const auto* g) { return g->node_id() == gateway; });
  if (it == gateways.end()) return 0;
  const auto g = gateways.size();
  const auto position = static_cast<std::size_t>(it - gateways.begin());
  const auto ids = broker_ids(view).size();
  // ids position, position + g, position + 2g, ... are this gateway's.
  return ids > position ? static_cast<int>((ids - position + g - 1) / g) : 0;
}

std::int32_t broker_at_port(const cluster::metadata_view& view, std::int32_t gateway, std::int32_t kafka_port,
                            std::int32_t local_port, int port_step) {
  if (port_step <= 0 || local_port < kafka_port || (local_port - kafka_port) % port_step != 0) return -1;
  const int slot = (local_port - kafka_port) / port_step;
  auto gateways = view.gateways();
  auto it = std::find_if(gateways.begin(), gateways.end(), [&](const auto* g) { return g->node_id() == gateway; });
  if (it == gateways.end()) return -1;
  const auto index = static_cast<std::size_t>(slot) * gateways.size() + static_cast<std::size_t>(it - gateways.begin());
  auto ids = broker_ids(view);
  return index < ids.size() ? ids[index] : -1;
}

std::int32_t coordinator_broker(const cluster::metadata_view& view, std::string_view topic, std::int32_t partition) {
  auto ids = broker_ids(view);
  if (ids.empty() || view.gateways().empty()) return -1;
  return ids[(fnv1a(topic) + static_cast<std::uint32_t>(partition)) % ids.size()];
}

std::int32_t controller_broker(const cluster::metadata_view& view) {
  auto ids = broker_ids(view);
  if (ids.empty() || view.gateways().empty()) return -1;
  return ids.front();
}

}  // namespace sluice::gateway
