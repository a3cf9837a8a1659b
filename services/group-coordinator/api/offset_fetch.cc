// OffsetFetch: a group's committed offsets, for the partitions asked or all
// of them. v8+ asks for several groups at once. With require_stable (v7+),
// a partition an open transaction has an offset pending for answers
// UNSTABLE_OFFSET_COMMIT (the consumer retries once the transaction ends);
// without it, the committed offset, as Kafka does.
#include "common/protocol/messages/offset_fetch.h"
#include "services/group-coordinator/api/api_context.h"

namespace sluice::group_coordinator {

namespace {

struct fetched_partition {
  std::int32_t partition = 0;
  std::int64_t offset = -1;
  std::int32_t leader_epoch = -1;
  std::string metadata;
  error_code error = error_code::none;
};
using fetched = std::map<std::string, std::vector<fetched_partition>>;  // by topic

struct asked_topic {
  std::string name;
  std::vector<std::int32_t> partitions;
};

/// The offsets of `group`; `topics` null means every committed one. A
/// partition without a commit answers offset -1, as in Kafka.
error_code fetch_group(const api_context& ctx, const std::string& group, const std::optional<std::string>& member_id,
                       std::int32_t member_epoch, const std::optional<std::vector<asked_topic>>& topics,
                       bool require_stable, fetched& out) {
  auto found = ctx.shards->find(group);
  if (!found.shard) return found.error;
  if (member_id && !member_id->empty()) {  // v9: a KIP-848 member asks; it must be current
    if (auto* c = found.shard->consumer(group)) {
      if (auto e = c->validate_commit(*member_id, member_epoch); e != error_code::none) return e;
    }
  }
  const group_offsets* stored = found.shard->offsets(group);
  auto unstable = [&](const topic_partition& tp) { return require_stable && found.shard->has_pending(group, tp); };
  if (!topics) {
    // Every committed offset (a partition with only pending ones is not listed, as in Kafka).
    if (stored)
      for (const auto& [tp, v] : *stored)
        out[tp.first].push_back(unstable(tp) ? fetched_partition{tp.second, -1, -1, "", error_code::unstable_offset_commit}
                                             : fetched_partition{tp.second, v.offset, v.leader_epoch, v.metadata});
    return error_code::none;
  }
  for (const auto& t : *topics) {
    auto& list = out[t.name];
    for (auto p : t.partitions) {
      fetched_partition f{p, -1, -1, ""};
      if (unstable({t.name, p})) {
        f.error = error_code::unstable_offset_commit;
      } else if (stored) {
        auto it = stored->find({t.name, p});
        if (it != stored->end()) f = {p, it->second.offset, it->second.leader_epoch, it->second.metadata};
      }
      list.push_back(std::move(f));
    }
  }
  return error_code::none;
}

/// Writes `f` into a response's topic list (v0-7 and v8+ differ only in type names).
template <class TopicList>
void write_topics(fetched& f, TopicList& out) {
  for (auto& [topic, parts] : f) {
    auto& rt = out.emplace_back();
    rt.name = topic;
    for (auto& p : parts) {
      auto& rp = rt.partitions.emplace_back();
      rp.partition_index = p.partition;
      rp.committed_offset = p.offset;
      rp.committed_leader_epoch = p.leader_epoch;
      rp.metadata = p.metadata;
      rp.error_code = code(p.error);
    }
  }
}

template <class Topics>
std::optional<std::vector<asked_topic>> asked(const Topics& topics) {
  if (!topics) return std::nullopt;
  std::vector<asked_topic> out;
  for (const auto& t : *topics) out.push_back({t.name, t.partition_indexes});
  return out;
}

}  // namespace

void serve_offset_fetch(const api_context& ctx) {
  auto req = ctx.decode<protocol::offset_fetch_request>();
  protocol::offset_fetch_response r;
  if (ctx.version >= 8) {
    for (const auto& g : req.groups) {
      auto& rg = r.groups.emplace_back();
      rg.group_id = g.group_id;
      fetched f;
      rg.error_code =
          code(fetch_group(ctx, g.group_id, g.member_id, g.member_epoch, asked(g.topics), req.require_stable, f));
      write_topics(f, rg.topics);
    }
    return ctx.respond(r);
  }
  // v0-1 list all partitions' topics; null topics (all) arrive from v2.
  std::optional<std::vector<asked_topic>> topics;
  if (req.topics) topics = asked(req.topics);
  fetched f;
  const error_code e = fetch_group(ctx, req.group_id, std::nullopt, -1, topics, req.require_stable, f);
  r.error_code = code(e);
  if (e != error_code::none && ctx.version < 2 && topics) {
    // No top-level error before v2: every partition carries it.
    for (const auto& t : *topics) {
      auto& rt = r.topics.emplace_back();
      rt.name = t.name;
      for (auto p : t.partitions) {
        auto& rp = rt.partitions.emplace_back();
        rp.partition_index = p;
        rp.committed_offset = -1;
        rp.metadata = "";
        rp.error_code = code(e);
      }
    }
    return ctx.respond(r);
  }
  write_topics(f, r.topics);
  ctx.respond(r);
}

}  // namespace sluice::group_coordinator
