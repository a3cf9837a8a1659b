// CreatePartitions: raises a topic's partition count through the
// coordinator; answered once the new partitions are in this gateway's
// metadata.
#include <set>

#include "common/cluster/coordinator_client.h"
#include "common/protocol/messages/create_partitions.h"
#include "services/gateway/error_mapping.h"
#include "services/gateway/gateway_options.h"
#include "services/gateway/handlers/await_served.h"
#include "services/gateway/handlers/handler.h"
#include "services/gateway/handlers/replica_assignments.h"
#include "services/gateway/handlers/topic_results.h"
#include "services/gateway/metadata_cache.h"

namespace sluice::gateway {
namespace {

namespace cv1 = cluster::cv1;
using protocol::error_code;
using topic_result = protocol::create_partitions_response::create_partitions_topic_result;

}  // namespace

void handle_create_partitions(request_context ctx) {
  auto request = ctx.decode<protocol::create_partitions_request>();
  auto response = std::make_shared<protocol::create_partitions_response>();
  auto sent = std::make_shared<std::vector<topic_result*>>();
  cv1::CreatePartitionsRequest admin;
  admin.set_validate_only(request.validate_only);
  std::set<std::string> seen;
  auto view = ctx.services->metadata.current();
  response->results.reserve(request.topics.size());
  for (const auto& topic : request.topics) {
    auto& out = response->results.emplace_back();
    out.name = topic.name;
    if (!seen.insert(topic.name).second) {
      out.error_code = code(error_code::invalid_request);
      out.error_message = "topic " + topic.name + " is named twice in the request";
      continue;
    }
    cv1::PartitionCountUpdate update;
    update.set_name(topic.name);
    const auto* known = view->topic(topic.name);
    auto current = known == nullptr ? std::nullopt : std::optional<int>(known->partitions_size());
    if (auto refused = fill_partition_update(topic, current, update)) {
      out.error_code = code(refused->error);
      out.error_message = refused->message;
      continue;
    }
    *admin.add_topics() = std::move(update);
    sent->push_back(&out);
  }
  if (sent->empty()) return ctx.respond(*response);

  auto* services = ctx.services;
  bool validate_only = request.validate_only;
  services->coordinator.create_partitions(
      admin, [ctx, response, sent, services, validate_only](result<cv1::CreatePartitionsResponse> r) {
        auto succeeded = copy_topic_results(r, *sent);
        if (!r) return ctx.respond(*response);
        std::vector<std::pair<std::string, int>> grown;
        for (int i : succeeded) {
          const auto& done = r.value().results(i);
          if (!validate_only) grown.emplace_back(done.name(), done.topic().partitions_size());
        }
        auto visible = [grown](const cluster::metadata_view& view) {
          for (const auto& [name, count] : grown) {
            const auto* t = view.topic(name);
            if (t == nullptr || t->partitions_size() < count) return false;
          }
          return true;
        };
        std::vector<std::string> names;
        for (const auto& [name, count] : grown) names.push_back(name);
        auto timeout = services->options.admin_propagation_timeout;
        services->metadata.wait_until(visible, timeout, [ctx, response, services, names, timeout](bool) {
          await_served(*services, names, timeout, [ctx, response] { ctx.respond(*response); });
        });
      });
}

}  // namespace sluice::gateway
