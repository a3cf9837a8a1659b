#pragma once
// The bookkeeping AlterConfigs and IncrementalAlterConfigs share: one
// coordinator call per topic or broker resource, the answer sent when the
// last one returns, in request order.
#include <atomic>
#include <memory>
#include <type_traits>

#include "services/gateway/error_mapping.h"
#include "services/gateway/handlers/alter_broker_configs.h"
#include "services/gateway/handlers/alter_topic_configs.h"

namespace sluice::gateway {

template <class Response>
class config_alterations : public std::enable_shared_from_this<config_alterations<Response>> {
 public:
  config_alterations(request_context ctx, std::shared_ptr<Response> response)
      : ctx_(std::move(ctx)), response_(std::move(response)) {}

  /// Sends `request` (an AlterTopicConfigsRequest or an
  /// AlterBrokerConfigsRequest) for answer `index` of the response;
  /// `expected`: the resource's values once it applies.
  template <class Request>
  void send(std::size_t index, Request request, std::map<std::string, std::string> expected) {
    ++pending_;
    auto self = this->shared_from_this();
    auto answered = [self, index](alter_outcome o) {
      auto& out = self->response_->responses[index];
      out.error_code = code(o.error);
      out.error_message = o.message;
      self->finish_one();
    };
    if constexpr (std::is_same_v<Request, cluster::cv1::AlterBrokerConfigsRequest>)
      alter_broker_configs(*ctx_.services, std::move(request), std::move(expected), std::move(answered));
    else
      alter_topic_configs(*ctx_.services, std::move(request), std::move(expected), std::move(answered));
  }

  /// Call once every send() is made: answers now if nothing is pending.
  void sent_all() { finish_one(); }

 private:
  void finish_one() {
    if (pending_.fetch_sub(1, std::memory_order_acq_rel) == 1) ctx_.respond(*response_);
  }

  request_context ctx_;
  std::shared_ptr<Response> response_;
  std::atomic<int> pending_{1};  // sends in flight, plus one until sent_all()
};

}  // namespace sluice::gateway
