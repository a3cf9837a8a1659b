#include "services/gateway/group_routing.h"

#include <atomic>
#include <memory>
#include <mutex>

#include "common/cluster/group_shards.h"
#include "common/messaging/methods.h"
#include "common/proto/group.pb.h"
#include "services/gateway/metadata_cache.h"
#include "services/gateway/partition_servers.h"
#include "services/gateway/response_frame.h"

namespace sluice::gateway {

std::int32_t shard_owner(const request_context& ctx, std::int32_t shard) {
  auto view = ctx.services->metadata.current();
  return cluster::offsets_partition_owner(*view, shard);
}

std::int32_t group_owner(const request_context& ctx, std::string_view group) {
  return shard_owner(ctx, cluster::offsets_partition_for(group));
}

void call_group_coordinator(const request_context& ctx, std::int32_t node, std::span<const std::byte> body,
                            std::chrono::milliseconds timeout, owner_reply done) {
  auto view = ctx.services->metadata.current();
  auto client = ctx.services->groups.client(*view, node);
  if (!client) return done(std::nullopt);
  group::v1::KafkaRequest header;
  header.set_api_key(ctx.header.api_key);
  header.set_api_version(ctx.header.api_version);
  header.set_client_id(ctx.header.client_id.value_or(""));
  header.set_client_host(ctx.client_host);
  auto msg = messaging::message::make(messaging::method::kafka_group_request, header, body.size());
  msg.append_payload(body);
  client->call(std::move(msg), timeout, [done = std::move(done)](messaging::rpc_status status, messaging::message reply) {
    if (status != messaging::rpc_status::ok) return done(std::nullopt);
    done(reply.payload());
  });
}

void relay_response(const request_context& ctx, std::span<const std::byte> body) {
  protocol::writer out;
  out.reserve(body.size() + 32);
  auto start = begin_response(out, ctx.header);
  out.write_raw(body);
  ctx.reply.send(finish_response(out, start));
}

void forward_to_owner(request_context ctx, const std::string& group, std::chrono::milliseconds timeout,
                      std::function<void(const request_context&, protocol::error_code)> answer_error) {
  forward_to_shard_owner(std::move(ctx), cluster::offsets_partition_for(group), timeout, std::move(answer_error));
}

void forward_to_shard_owner(request_context ctx, std::int32_t shard, std::chrono::milliseconds timeout,
                            std::function<void(const request_context&, protocol::error_code)> answer_error,
                            answer_relay relay) {
  auto queue = ctx.group_order;
  queue->push([ctx = std::move(ctx), shard, timeout, answer_error = std::move(answer_error),
               relay = std::move(relay)](std::function<void()> next) {
    const std::int32_t owner = shard_owner(ctx, shard);
    if (owner < 0) {
      answer_error(ctx, protocol::error_code::coordinator_not_available);
      return next();
    }
    call_group_coordinator(ctx, owner, ctx.body, timeout,
                           [ctx, answer_error, relay, next](std::optional<std::span<const std::byte>> body) {
                             if (body) relay(ctx, *body);
                             else answer_error(ctx, protocol::error_code::coordinator_not_available);
                             next();
                           });
  });
}

void route_by_shard(const cluster::metadata_view& view, const std::vector<std::string>& keys,
                    const std::function<std::int32_t(std::string_view)>& shard_of, fan_out_plan& plan) {
  for (const auto& key : keys) {
    const std::int32_t owner = cluster::offsets_partition_owner(view, shard_of(key));
    if (owner < 0) plan.unowned.push_back(key);
    else plan.targets[owner].push_back(key);
  }
}

void target_every_group_coordinator(const request_context& ctx, fan_out_plan& plan) {
  for (const auto* gc : ctx.services->metadata.current()->services(cluster::mv1::GROUP_COORDINATOR))
    plan.targets[gc->node_id()] = {};
  plan.encode = [frame = ctx.frame, body = ctx.body](const std::vector<std::string>&) {
    return std::vector<std::byte>(body.begin(), body.end());
  };
}

void route_groups(const cluster::metadata_view& view, const std::vector<std::string>& groups, fan_out_plan& plan) {
  route_by_shard(view, groups, [](std::string_view g) { return cluster::offsets_partition_for(g); }, plan);
}

void fan_out(request_context ctx, fan_out_plan plan) {
  auto queue = ctx.group_order;
  queue->push([ctx = std::move(ctx), plan = std::make_shared<fan_out_plan>(std::move(plan))](std::function<void()> next) {
    struct progress {
      std::mutex mutex;
      std::size_t left = 0;
    };
    auto state = std::make_shared<progress>();
    state->left = plan->targets.size() + 1;
    auto one_done = [state, plan, next] {
      if (--state->left > 0) return;
      plan->finish();
      next();
    };
    {
      std::lock_guard lock(state->mutex);
      if (!plan->unowned.empty()) plan->absorb_error(plan->unowned, protocol::error_code::coordinator_not_available);
    }
    for (const auto& [node, groups] : plan->targets) {
      auto body = std::make_shared<std::vector<std::byte>>(plan->encode(groups));
      call_group_coordinator(ctx, node, *body, group_call_timeout,
                             [state, plan, groups, body, one_done](std::optional<std::span<const std::byte>> reply) {
                               {
                                 std::lock_guard lock(state->mutex);
                                 bool absorbed = false;
                                 if (reply) {
                                   try {
                                     plan->absorb(*reply);
                                     absorbed = true;
                                   } catch (const protocol::decode_error&) {
                                   }
                                 }
                                 if (!absorbed) plan->absorb_error(groups, protocol::error_code::coordinator_not_available);
                               }
                               one_done();
                             });
    }
    one_done();
  });
}

}  // namespace sluice::gateway
