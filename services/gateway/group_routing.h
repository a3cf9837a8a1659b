#pragma once
// How the gateway reaches consumer-group state: each group lives in one
// partition of __consumer_offsets, served by one group coordinator
// (cluster::offsets_partition_owner). Requests about one group go to its
// owner untouched and its answer comes back untouched; requests naming
// several groups are split by owner and the answers merged. A connection's
// group requests are forwarded one at a time, in order, as Kafka handles them.
// Transactions use the same machinery (txn_routing.h): partition p of
// __transaction_state is owned with partition p of __consumer_offsets, so
// everything here works on a shard number, and groups are one way to name one.
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/cluster/metadata_view.h"
#include "common/protocol/error_code.h"
#include "services/gateway/error_mapping.h"
#include "services/gateway/request_context.h"

namespace sluice::gateway {

/// How long a forwarded request may take: a JoinGroup waits for its whole rebalance.
inline constexpr std::chrono::milliseconds group_call_timeout{30000};

/// The group coordinator serving shard `shard` (partition `shard` of
/// __consumer_offsets and of __transaction_state) now, or -1 when none is live.
std::int32_t shard_owner(const request_context& ctx, std::int32_t shard);

/// The group coordinator serving `group` now, or -1 when none is live.
std::int32_t group_owner(const request_context& ctx, std::string_view group);

/// A group coordinator's answer: the Kafka response body, or nullopt when it
/// could not be reached (or did not answer in time).
using owner_reply = std::function<void(std::optional<std::span<const std::byte>> body)>;

/// Sends a Kafka request body of this request's api key and version.
void call_group_coordinator(const request_context& ctx, std::int32_t node, std::span<const std::byte> body,
                            std::chrono::milliseconds timeout, owner_reply done);

/// Sends the group coordinator's response body to the client as this request's answer.
void relay_response(const request_context& ctx, std::span<const std::byte> body);

/// For APIs about one group: forwards the request to the group's owner after
/// the connection's earlier group requests and relays the answer. When no
/// owner is live or it cannot be reached, `answer_error` answers with
/// COORDINATOR_NOT_AVAILABLE (retriable: the client looks the coordinator up again).
void forward_to_owner(request_context ctx, const std::string& group, std::chrono::milliseconds timeout,
                      std::function<void(const request_context&, protocol::error_code)> answer_error);

/// How an owner's answer reaches the client: relay_response, or a handler's
/// own (which may decode and adjust it).
using answer_relay = std::function<void(const request_context&, std::span<const std::byte> body)>;

/// forward_to_owner for the owner of a shard (the owner is looked up when
/// the request's turn comes, not before); `relay` passes the answer on.
void forward_to_shard_owner(request_context ctx, std::int32_t shard, std::chrono::milliseconds timeout,
                            std::function<void(const request_context&, protocol::error_code)> answer_error,
                            answer_relay relay = relay_response);

/// forward_to_owner for the APIs about one group whose error answer is the
/// response with nothing but its error code set (Heartbeat, LeaveGroup,
/// SyncGroup, OffsetDelete, ConsumerGroupHeartbeat).
template <class Request, class Response>
void forward_group_request(request_context ctx, std::chrono::milliseconds timeout = group_call_timeout) {
  auto request = ctx.decode<Request>();
  forward_to_owner(std::move(ctx), request.group_id, timeout, [](const request_context& c, protocol::error_code e) {
    Response r;
    r.error_code = code(e);
    c.respond(r);
  });
}

/// For APIs about several groups (or all of them): `targets` maps each group
/// coordinator to the groups it gets asked about (or transactional ids, for
/// the transaction APIs: any key naming a shard). `encode(groups)` builds the
/// request body for one of them; `absorb(body)` takes in one answer,
/// `absorb_error(groups, error)` stands in for one that failed; `finish()`
/// answers the client once all are in. Absorbers run one at a time.
struct fan_out_plan {
  std::map<std::int32_t, std::vector<std::string>> targets;
  std::vector<std::string> unowned;  // groups without a live owner
  std::function<std::vector<std::byte>(const std::vector<std::string>& groups)> encode;
  std::function<void(std::span<const std::byte> body)> absorb;
  std::function<void(const std::vector<std::string>& groups, protocol::error_code e)> absorb_error;
  std::function<void()> finish;
};
void fan_out(request_context ctx, fan_out_plan plan);

/// Splits `keys` by the owner of their shard (`shard_of(key)`) in `view`
/// into plan.targets / plan.unowned, keeping the keys' order within each.
void route_by_shard(const cluster::metadata_view& view, const std::vector<std::string>& keys,
                    const std::function<std::int32_t(std::string_view)>& shard_of, fan_out_plan& plan);

/// Targets every live group coordinator with the client's request as it
/// came (APIs asking all of them: ListGroups, ListTransactions).
void target_every_group_coordinator(const request_context& ctx, fan_out_plan& plan);

/// For the list APIs answered by every group coordinator (ListGroups,
/// ListTransactions): asks each of them the client's request and answers
/// with `merge(answer, part)` applied to each decoded answer in turn; a
/// nonzero error of one, or a coordinator that cannot be reached, sets the
/// answer's error code (COORDINATOR_NOT_AVAILABLE), keeping what the others listed.
template <class Request, class Response>
void list_from_every_group_coordinator(request_context ctx, std::function<void(Response& answer, Response& part)> merge) {
  ctx.decode<Request>();  // a malformed body closes the connection before anyone is asked
  auto answer = std::make_shared<Response>();
  fan_out_plan plan;
  target_every_group_coordinator(ctx, plan);
  plan.absorb = [answer, version = ctx.version(), merge = std::move(merge)](std::span<const std::byte> body) {
    protocol::reader in(body);
    Response part;
    part.decode(in, version);
    if (part.error_code != 0) answer->error_code = part.error_code;
    merge(*answer, part);
  };
  plan.absorb_error = [answer](const std::vector<std::string>&, protocol::error_code e) {
    answer->error_code = code(e);
  };
  plan.finish = [ctx, answer] { ctx.respond(*answer); };
  fan_out(std::move(ctx), std::move(plan));
}

/// An owner's answer to the client after `adjust(response)`: decoded at the
/// client's version, adjusted and encoded again; an answer that does not
/// decode goes on untouched (the client judges it as it would have).
template <class Response, class Adjust>
void relay_adjusted(const request_context& ctx, std::span<const std::byte> body, Adjust adjust) {
  Response r;
  try {
    protocol::reader in(body);
    r.decode(in, ctx.version());
  } catch (const protocol::decode_error&) {
    return relay_response(ctx, body);
  }
  adjust(r);
  ctx.respond(r);
}

/// Splits `groups` by owner in `view` into plan.targets / plan.unowned.
void route_groups(const cluster::metadata_view& view, const std::vector<std::string>& groups, fan_out_plan& plan);

}  // namespace sluice::gateway
