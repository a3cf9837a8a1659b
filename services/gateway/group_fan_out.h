#pragma once
// The shape every multi-key API shares (DescribeGroups, DeleteGroups,
// OffsetFetch v8+, ConsumerGroupDescribe by group id; DescribeTransactions
// by transactional id): a request listing keys, a response listing one
// result per key with the key and `error_code`. The request is split by the
// group coordinator owning each key's shard, each part re-encoded at the
// client's version, and the results concatenated; keys whose owner is
// missing or unreachable answer COORDINATOR_NOT_AVAILABLE.
#include <algorithm>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include "services/gateway/error_mapping.h"
#include "services/gateway/group_routing.h"
#include "services/gateway/metadata_cache.h"

namespace sluice::gateway {

/// Which field of a result names its key.
struct group_key {
  template <class Entry>
  static auto& of(Entry& entry) {
    return entry.group_id;
  }
};
struct transactional_id_key {
  template <class Entry>
  static auto& of(Entry& entry) {
    return entry.transactional_id;
  }
};

template <class Key, class Entry>
const std::string& key_of(const Entry& entry) {
  if constexpr (std::is_same_v<Entry, std::string>) return entry;
  else return Key::of(entry);
}

/// `route(view, keys, plan)` splits the keys by owner (route_by_shard).
template <class Key, class Request, class Response, class AskedList, class AnsweredList, class Route>
void fan_out_by_key(request_context ctx, AskedList Request::*asked, AnsweredList Response::*answered, Route route) {
  auto request = std::make_shared<Request>(ctx.decode<Request>());
  auto answer = std::make_shared<Response>();
  std::vector<std::string> ids;
  for (const auto& entry : (*request).*asked) ids.push_back(key_of<Key>(entry));
  fan_out_plan plan;
  route(*ctx.services->metadata.current(), ids, plan);
  const auto version = ctx.version();
  plan.encode = [request, asked, version](const std::vector<std::string>& keys) {
    Request part = *request;
    std::erase_if(part.*asked, [&](const auto& entry) {
      return std::find(keys.begin(), keys.end(), key_of<Key>(entry)) == keys.end();
    });
    protocol::writer out;
    part.encode(out, version);
    return out.take();
  };
  plan.absorb = [answer, answered, version](std::span<const std::byte> body) {
    protocol::reader in(body);
    Response part;
    part.decode(in, version);
    for (auto& result : part.*answered) ((*answer).*answered).push_back(std::move(result));
  };
  plan.absorb_error = [answer, answered](const std::vector<std::string>& keys, protocol::error_code e) {
    for (const auto& id : keys) {
      auto& result = ((*answer).*answered).emplace_back();
      Key::of(result) = id;
      result.error_code = code(e);
    }
  };
  plan.finish = [ctx, answer] { ctx.respond(*answer); };
  fan_out(std::move(ctx), std::move(plan));
}

template <class Request, class Response, class AskedList, class AnsweredList>
void fan_out_by_group(request_context ctx, AskedList Request::*asked, AnsweredList Response::*answered) {
  fan_out_by_key<group_key>(std::move(ctx), asked, answered,
                            [](const cluster::metadata_view& view, const std::vector<std::string>& groups,
                               fan_out_plan& plan) { route_groups(view, groups, plan); });
}

}  // namespace sluice::gateway
