#include "services/gateway/leader_choice.h"

namespace sluice::gateway {
namespace {

std::uint32_t fnv1a(std::string_view s) {
  std::uint32_t h = 2166136261u;
  for (unsigned char c : s) {
    h ^= c;
    h *= 16777619u;
  }
  return h;
}

}  // namespace

std::int32_t leader_gateway(const cluster::metadata_view& view, std::string_view topic, std::int32_t partition) {
  auto gateways = view.gateways();
  if (gateways.empty()) return -1;
  auto slot = (fnv1a(topic) + static_cast<std::uint32_t>(partition)) % gateways.size();
  return gateways[slot]->node_id();
}

}  // namespace sluice::gateway
