// TxnOffsetCommit: a transactional producer commits a group's offsets inside
// its transaction. The shard first has the transaction coordinator verify
// that its partition is in the transaction (v0-4: AddOffsetsToTxn put it
// there) or add it (v5+, transaction version 2), then writes them as one
// transactional batch of the producer, answered once durable. They stay
// pending (invisible to OffsetFetch) until the transaction coordinator's
// COMMIT marker makes them the group's committed offsets, or its ABORT
// drops them.
#include "common/protocol/messages/txn_offset_commit.h"
#include "services/group-coordinator/api/api_context.h"

namespace sluice::group_coordinator {

namespace {

using partition_answer = protocol::txn_offset_commit_response::txn_offset_commit_response_partition;

/// Whether the metadata has the partition: Kafka (KafkaApis) answers
/// UNKNOWN_TOPIC_OR_PARTITION for one it does not, before the group sees it.
bool known(const topic_catalog& topics, const std::string& topic, std::int32_t partition) {
  const auto* t = topics.find(topic);
  return t && partition >= 0 && partition < t->partitions;
}

}  // namespace

void serve_txn_offset_commit(const api_context& ctx) {
  auto req = ctx.decode<protocol::txn_offset_commit_request>();
  // The answer lists every partition asked for, each with its own error.
  auto answer = std::make_shared<protocol::txn_offset_commit_response>();
  for (const auto& t : req.topics) {
    auto& rt = answer->topics.emplace_back();
    rt.name = t.name;
    for (const auto& p : t.partitions) rt.partitions.emplace_back().partition_index = p.partition_index;
  }
  auto respond = [ctx](protocol::txn_offset_commit_response& r) {
    // Clients before v2 (Kafka 2.0) do not expect COORDINATOR_LOAD_IN_PROGRESS here (KAFKA-7296).
    if (ctx.version < 2)
      for (auto& t : r.topics)
        for (auto& p : t.partitions)
          if (p.error_code == code(error_code::coordinator_load_in_progress))
            p.error_code = code(error_code::coordinator_not_available);
    ctx.respond(r);
  };
  // The partitions that go on to the group: those of known topics.
  std::vector<std::pair<std::size_t, std::size_t>> asked;
  for (std::size_t ti = 0; ti < req.topics.size(); ++ti)
    for (std::size_t pi = 0; pi < req.topics[ti].partitions.size(); ++pi) {
      if (known(*ctx.topics, req.topics[ti].name, req.topics[ti].partitions[pi].partition_index))
        asked.emplace_back(ti, pi);
      else
        answer->topics[ti].partitions[pi].error_code = code(error_code::unknown_topic_or_partition);
    }
  auto fail_asked = [&](error_code e) {
    for (auto [ti, pi] : asked) answer->topics[ti].partitions[pi].error_code = code(e);
    respond(*answer);
  };
  if (asked.empty()) return respond(*answer);
  if (req.group_id.empty()) return fail_asked(error_code::invalid_group_id);
  // No producer: these records would be plain commits, visible at once.
  if (req.producer_id < 0) return fail_asked(error_code::invalid_producer_id_mapping);
  auto found = ctx.shards->find(req.group_id);
  if (!found.shard) return fail_asked(found.error);

  const std::int64_t now_ms = wall_clock_ms();
  std::vector<std::pair<topic_partition, offset_value>> offsets;
  std::vector<partition_answer*> written;
  std::vector<partition_answer*> too_large;
  for (auto [ti, pi] : asked) {
    const auto& p = req.topics[ti].partitions[pi];
    auto& out = answer->topics[ti].partitions[pi];
    auto v = offset_to_commit(p, *ctx.options, now_ms);
    if (!v) {
      too_large.push_back(&out);
      continue;
    }
    offsets.push_back({{req.topics[ti].name, p.partition_index}, std::move(*v)});
    written.push_back(&out);
  }
  group_shard::txn_commit_request commit{.group = req.group_id,
                                         .transactional_id = req.transactional_id,
                                         .producer = {req.producer_id, req.producer_epoch},
                                         .member_id = req.member_id,
                                         .instance_id = req.group_instance_id,
                                         .generation = req.generation_id,
                                         .version = ctx.version};
  found.shard->txn_offset_commit(
      std::move(commit), std::move(offsets), *ctx.txn_checker,
      [answer, asked = std::move(asked), written, too_large, respond](group_shard::txn_commit_outcome r) {
        if (r.refused) {
          // Kafka fails the whole request then.
          for (auto [ti, pi] : asked) answer->topics[ti].partitions[pi].error_code = code(r.error);
        } else {
          for (auto* out : written) out->error_code = code(r.error);
          for (auto* out : too_large) out->error_code = code(error_code::offset_metadata_too_large);
        }
        respond(*answer);
      });
}

}  // namespace sluice::group_coordinator
