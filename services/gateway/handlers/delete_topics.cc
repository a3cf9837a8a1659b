// DeleteTopics (by name, or by topic id from v6): the coordinator removes
// the topic and the partition servers drop its logs; answered once the topic
// is gone from this gateway's metadata.
#include "common/cluster/coordinator_client.h"
#include "common/protocol/messages/delete_topics.h"
#include "services/gateway/error_mapping.h"
#include "services/gateway/gateway_options.h"
#include "services/gateway/handlers/handler.h"
#include "services/gateway/handlers/handler_util.h"
#include "services/gateway/handlers/topic_results.h"
#include "services/gateway/metadata_cache.h"

namespace sluice::gateway {
namespace {

namespace cv1 = cluster::cv1;
using protocol::error_code;
using topic_result = protocol::delete_topics_response::deletable_topic_result;

// (name, id) pairs as the request names them, whatever its version.
std::vector<std::pair<std::optional<std::string>, protocol::uuid>> named_topics(
    const protocol::delete_topics_request& request) {
  std::vector<std::pair<std::optional<std::string>, protocol::uuid>> out;
  for (const auto& name : request.topic_names) out.emplace_back(name, protocol::uuid{});
  for (const auto& t : request.topics) out.emplace_back(t.name, t.topic_id);
  return out;
}

}  // namespace

void handle_delete_topics(request_context ctx) {
  auto request = ctx.decode<protocol::delete_topics_request>();
  auto response = std::make_shared<protocol::delete_topics_response>();
  auto sent = std::make_shared<std::vector<topic_result*>>();
  auto view = ctx.services->metadata.current();
  cv1::DeleteTopicsRequest admin;
  auto topics = named_topics(request);
  response->responses.reserve(topics.size());
  for (const auto& [name, id] : topics) {
    auto& out = response->responses.emplace_back();
    out.name = name;
    out.topic_id = id;
    if (!name) {  // by id
      const auto* t = view->topic_by_id(raw_bytes(id));
      if (t == nullptr) {
        out.error_code = code(error_code::unknown_topic_id);
        continue;
      }
      out.name = t->name();
    }
    admin.add_names(*out.name);
    sent->push_back(&out);
  }
  if (sent->empty()) return ctx.respond(*response);

  auto* services = ctx.services;
  services->coordinator.delete_topics(admin, [ctx, response, sent, services](result<cv1::DeleteTopicsResponse> r) {
    auto succeeded = copy_topic_results(r, *sent);
    if (!r) return ctx.respond(*response);
    std::vector<std::string> deleted;
    for (int i : succeeded) deleted.push_back(r.value().results(i).name());
    auto gone = [deleted](const cluster::metadata_view& view) {
      for (const auto& name : deleted) {
        if (view.topic(name) != nullptr) return false;
      }
      return true;
    };
    services->metadata.wait_until(gone, services->options.admin_propagation_timeout,
                                  [ctx, response](bool) { ctx.respond(*response); });
  });
}

}  // namespace sluice::gateway
