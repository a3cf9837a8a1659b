// ElectLeaders: the coordinator runs the elections; the answer waits until
// the elected leaders (a higher leader epoch) are in this gateway's metadata,
// so the client's next Metadata shows them.
#include <map>
#include <utility>

#include "common/cluster/coordinator_client.h"
#include "services/gateway/gateway_options.h"
#include "services/gateway/handlers/election_mapping.h"
#include "services/gateway/handlers/handler.h"
#include "services/gateway/metadata_cache.h"

namespace sluice::gateway {
namespace {

namespace cv1 = cluster::cv1;
using partition_key = std::pair<std::string, std::int32_t>;

// The leader epoch of every partition the request may touch, as this
// gateway sees it before the election.
std::map<partition_key, std::int32_t> epochs_before(const cluster::metadata_view& view) {
  std::map<partition_key, std::int32_t> out;
  for (const auto* topic : view.topics()) {
    for (const auto& p : topic->partitions()) out[{topic->name(), p.partition()}] = p.leader_epoch();
  }
  return out;
}

}  // namespace

void handle_elect_leaders(request_context ctx) {
  auto request = std::make_shared<protocol::elect_leaders_request>(ctx.decode<protocol::elect_leaders_request>());
  auto admin = election_request(*request);
  if (!admin) {
    // Refused, or an empty list: nothing for the coordinator to do.
    return ctx.respond(election_answer(*request, result<cv1::ElectLeadersResponse>(cv1::ElectLeadersResponse{})));
  }
  auto* services = ctx.services;
  auto before = std::make_shared<std::map<partition_key, std::int32_t>>(epochs_before(*services->metadata.current()));
  services->coordinator.elect_leaders(*admin, [ctx, request, services, before](result<cv1::ElectLeadersResponse> r) {
    auto response = std::make_shared<protocol::elect_leaders_response>(election_answer(*request, r));
    if (!r) return ctx.respond(*response);
    std::vector<std::pair<partition_key, std::int32_t>> elected;
    for (const auto& p : r.value().results()) {
      if (p.error() != cv1::COORDINATOR_OK) continue;
      auto it = before->find({p.topic(), p.partition()});
      elected.emplace_back(partition_key{p.topic(), p.partition()}, it == before->end() ? -1 : it->second);
    }
    auto visible = [elected](const cluster::metadata_view& view) {
      for (const auto& [key, epoch] : elected) {
        const auto* info = view.partition(key.first, key.second);
        if (info != nullptr && info->leader_epoch() <= epoch) return false;
      }
      return true;
    };
    services->metadata.wait_until(visible, services->options.admin_propagation_timeout,
                                  [ctx, response](bool) { ctx.respond(*response); });
  });
}

}  // namespace sluice::gateway
