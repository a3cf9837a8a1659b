// group_shard's TxnOffsetCommit before its write (KIP-890): the
// transaction coordinator is asked whether our __consumer_offsets partition
// is in the producer's transaction (or, v5+, to add it), so that a commit
// arriving after its transaction ended cannot leave offsets pending with no
// marker to come. A group's commits wait for each other's checks and are
// written in the order they arrived. A verification guard per producer
// (Kafka's VerificationStateEntry) closes the gap between the check's
// answer and the write: the producer's marker drops it, so a commit
// verified before the marker and written after it is refused.
#include "common/cluster/group_shards.h"
#include "services/group-coordinator/group_shard.h"

namespace sluice::group_coordinator {

error_code txn_offset_check_error(std::int16_t answer, std::int16_t version) {
  // Not a switch: the code comes off the wire and may be any number.
  using ec = error_code;
  const auto e = static_cast<ec>(answer);
  // Producers expect INVALID_PRODUCER_EPOCH here.
  if (e == ec::producer_fenced) return ec::invalid_producer_epoch;
  // Clients before TxnOffsetCommit v4 do not know TRANSACTION_ABORTABLE.
  if (e == ec::transaction_abortable) return version >= 4 ? e : ec::invalid_txn_state;
  // Only a whole request fails so, and the refusal is ours, not the client's.
  if (e == ec::cluster_authorization_failed) return ec::invalid_txn_state;
  if (e == ec::network_exception) return ec::coordinator_load_in_progress;
  if (e == ec::unknown_topic_or_partition || e == ec::not_enough_replicas || e == ec::request_timed_out)
    return ec::coordinator_not_available;
  if (e == ec::not_leader_or_follower || e == ec::kafka_storage_error) return ec::not_coordinator;
  return e;
}

void group_shard::txn_offset_commit(txn_commit_request request,
                                    std::vector<std::pair<topic_partition, offset_value>> offsets,
                                    txn_offsets_checker& checker, std::function<void(txn_commit_outcome)> done) {
  if (!*open_) return done({error_code::not_coordinator, true});
  const std::string group = request.group;
  auto op = std::make_shared<queued_txn_commit>(
      queued_txn_commit{std::move(request), std::move(offsets), std::move(done), std::nullopt, 0});
  txn_commits_[group].push_back(op);
  const auto& r = op->request;
  // An ongoing transaction of the producer here was verified when it began
  // (Kafka skips the check then, too): its offsets are already pending.
  if (has_open_transaction(r.producer)) {
    op->checked = error_code::none;
    return run_txn_commits(group);
  }
  op->guard = hold_guard(r.producer.id);
  cluster::txn_check_request check{.transactional_id = r.transactional_id,
                                   .producer_id = r.producer.id,
                                   .producer_epoch = r.producer.epoch,
                                   .add = r.version >= 5,
                                   .partitions = {{std::string(cluster::offsets_topic), partition_}}};
  const std::pair<std::string, std::int32_t> ours{std::string(cluster::offsets_topic), partition_};
  checker.check(std::move(check), [this, open = std::weak_ptr<bool>(open_), op, group, ours](
                                      cluster::txn_check_result answer) {
    auto alive = open.lock();
    if (!alive || !*alive) return;  // close() answered it
    auto it = answer.find(ours);
    // A checker answers every partition asked; none is a failed call.
    const std::int16_t code = it == answer.end() ? static_cast<std::int16_t>(error_code::network_exception) : it->second;
    op->checked = txn_offset_check_error(code, op->request.version);
    run_txn_commits(group);
  });
}

void group_shard::run_txn_commits(const std::string& group) {
  auto queue = txn_commits_.find(group);
  while (queue != txn_commits_.end() && !queue->second.empty() && queue->second.front()->checked) {
    auto op = queue->second.front();
    queue->second.pop_front();
    const auto& r = op->request;
    error_code e = *op->checked;
    if (op->guard != 0) {
      // A marker of the producer came after the check was sent: the
      // transaction it found has ended (unless the producer has opened
      // another here since, which needs no guard).
      if (e == error_code::none && !guard_valid(r.producer.id, op->guard) && !has_open_transaction(r.producer))
        e = error_code::invalid_txn_state;
      release_guard(r.producer.id, op->guard);
    }
    if (e == error_code::none) e = validate_txn_commit(group, r.member_id, r.instance_id, r.generation);
    if (e != error_code::none) {
      op->done({e, true});
    } else if (op->offsets.empty()) {
      op->done({});
    } else {
      commit_transactional(group, r.producer, std::move(op->offsets),
                           [done = std::move(op->done)](error_code written) { done({written, false}); });
    }
    // `done` may have run a request of this shard: look the queue up again.
    queue = txn_commits_.find(group);
  }
  if (queue != txn_commits_.end() && queue->second.empty()) txn_commits_.erase(queue);
}

std::uint64_t group_shard::hold_guard(std::int64_t producer) {
  auto& g = guards_[producer];
  if (g.token == 0) g.token = ++last_guard_;
  ++g.holders;
  return g.token;
}

bool group_shard::guard_valid(std::int64_t producer, std::uint64_t guard) const {
  auto it = guards_.find(producer);
  return it != guards_.end() && it->second.token == guard;
}

void group_shard::release_guard(std::int64_t producer, std::uint64_t guard) {
  auto it = guards_.find(producer);
  if (it == guards_.end() || it->second.token != guard) return;  // a marker dropped it already
  if (--it->second.holders == 0) guards_.erase(it);
}

}  // namespace sluice::group_coordinator
