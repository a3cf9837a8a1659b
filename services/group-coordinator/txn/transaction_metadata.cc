#include "services/group-coordinator/txn/transaction_metadata.h"

#include <algorithm>
#include <array>
#include <limits>

namespace sluice::group_coordinator::txn {

namespace {

constexpr std::array<std::pair<txn_state, std::string_view>, 8> names{{
    {txn_state::empty, "Empty"},
    {txn_state::ongoing, "Ongoing"},
    {txn_state::prepare_commit, "PrepareCommit"},
    {txn_state::prepare_abort, "PrepareAbort"},
    {txn_state::complete_commit, "CompleteCommit"},
    {txn_state::complete_abort, "CompleteAbort"},
    {txn_state::dead, "Dead"},
    {txn_state::prepare_epoch_fence, "PrepareEpochFence"},
}};

bool epoch_exhausted(std::int16_t epoch) { return epoch >= max_handed_out_epoch; }

/// The start of every change, as Kafka's prepareTransitionTo: the id it
/// changes from becomes the previous producer id.
transaction_metadata transition_from(const transaction_metadata& cur) {
  transaction_metadata next = cur;
  next.previous_producer_id = cur.producer_id;
  return next;
}

/// Kafka's prepareAbortOrCommit: the end of the transaction in `cur`, as
/// `version` ends it. TV2 bumps the epoch (never past the last one: an
/// abort from it goes through under it, as Kafka lets a broken producer
/// recover; a commit cannot get there, no client is handed that epoch) and
/// keeps the epoch it bumped from as the last; an abort with no partition
/// added (TV2 from Empty/Complete*) starts now.
transaction_metadata prepared_end(const transaction_metadata& cur, txn_state to, txn_version version,
                                  std::int64_t next_producer_id, bool no_partition_added, std::int64_t now_ms) {
  transaction_metadata next = transition_from(cur);
  next.state = to;
  if (supports_epoch_bump(version)) {
    if (cur.producer_epoch < std::numeric_limits<std::int16_t>::max())
      next.producer_epoch = static_cast<std::int16_t>(cur.producer_epoch + 1);
    next.last_producer_epoch = cur.producer_epoch;
  }
  next.start_timestamp = no_partition_added ? now_ms : cur.start_timestamp;
  next.next_producer_id = next_producer_id;
  next.last_update_timestamp = now_ms;
  next.client_version = version;
  return next;
}

/// The producer id and epoch a prepared end completes with (Kafka's
/// prepareComplete): the next producer id at epoch 0 when a TV2 end took
/// one, else the prepared ones.
producer_id_and_epoch completed_producer(const transaction_metadata& prepared) {
  if (supports_epoch_bump(prepared.client_version) && prepared.next_producer_id != no_producer_id)
    return {prepared.next_producer_id, 0};
  return {prepared.producer_id, prepared.producer_epoch};
}

/// The id as it will be once InitProducerId is durable: Empty, no
/// partitions, no transaction start; `previous_producer_id` is the id
/// before this change (Kafka's prevProducerId), which lets a retry after a
/// rotation be told from a zombie.
transaction_metadata initialized(const transaction_metadata& cur, std::int64_t producer_id, std::int16_t epoch,
                                 std::int16_t last_epoch, std::int32_t timeout_ms, std::int64_t now_ms) {
  transaction_metadata next = transition_from(cur);
  next.producer_id = producer_id;
  next.producer_epoch = epoch;
  next.last_producer_epoch = last_epoch;
  next.timeout_ms = timeout_ms;
  next.state = txn_state::empty;
  next.partitions.clear();
  next.start_timestamp = -1;
  next.last_update_timestamp = now_ms;
  return next;
}

/// Whether the producer named in an InitProducerId may take over (Kafka's
/// isValidProducerId): the id was just created, or it is the current
/// producer, or it is the one before a rotation retrying with its
/// exhausted epoch.
bool may_take_over(const transaction_metadata& cur, const producer_id_and_epoch& expected) {
  return cur.producer_epoch == no_producer_epoch || expected.producer_id == cur.producer_id ||
         (expected.producer_id == cur.previous_producer_id && epoch_exhausted(expected.epoch));
}

template <class Decision>
Decision refused(error_code e) {
  Decision d;
  d.error = e;
  return d;
}

template <class Decision = init_decision>
Decision needs_producer_id() {
  Decision d;
  d.needs_producer_id = true;
  return d;
}

txn_decision changed(transaction_metadata next) {
  txn_decision d;
  d.next = std::move(next);
  return d;
}

/// TV0/1 (Kafka's endTransactionWithTV1): the client names exactly the
/// current epoch; the same outcome found again is a retry.
end_decision decide_end_txn_v1(const transaction_metadata& cur, bool commit, std::int16_t producer_epoch,
                               std::int64_t now_ms) {
  if (producer_epoch != cur.producer_epoch) return refused<end_decision>(error_code::producer_fenced);
  auto same_end = [commit](bool committed, error_code same) {
    return refused<end_decision>(committed == commit ? same : error_code::invalid_txn_state);
  };
  switch (cur.state) {
    case txn_state::ongoing: {
      end_decision d;
      d.next = prepared_end(cur, commit ? txn_state::prepare_commit : txn_state::prepare_abort, txn_version::tv0,
                            no_producer_id, false, now_ms);
      return d;
    }
    // A retry of an end that completed: success, nothing to write.
    case txn_state::complete_commit: return same_end(true, error_code::none);
    case txn_state::complete_abort: return same_end(false, error_code::none);
    // A retry of an end whose markers are still on their way.
    case txn_state::prepare_commit: return same_end(true, error_code::concurrent_transactions);
    case txn_state::prepare_abort: return same_end(false, error_code::concurrent_transactions);
    case txn_state::empty: return refused<end_decision>(error_code::invalid_txn_state);
    case txn_state::dead:
    case txn_state::prepare_epoch_fence: return refused<end_decision>(error_code::unknown_server_error);
  }
  return refused<end_decision>(error_code::unknown_server_error);
}

/// TV2 (Kafka 4's endTransaction from a client). Every end bumps the
/// epoch, so the epoch tells a retry from the next transaction's end:
///
///                  abort              commit
///                  retry   current    retry   current
///   Empty          FENCED  bump       FENCED  INVALID_TXN_STATE
///   CompleteAbort  NONE    bump       ITS     ITS
///   CompleteCommit ITS     bump       NONE    ITS
///
/// (retry: the epoch before the bump, or the id before a rotation at the
/// last epoch; Ongoing takes the current epoch only, Prepare* a retry only,
/// which is CONCURRENT_TRANSACTIONS for the same outcome).
end_decision decide_end_txn_v2(const transaction_metadata& cur, producer_id_and_epoch producer, bool commit,
                               std::optional<std::int64_t> fresh_producer_id, std::int64_t now_ms) {
  const int epoch = producer.epoch;
  const int current_epoch = cur.producer_epoch;
  const bool retry_on_overflow = cur.previous_producer_id == producer.producer_id &&
                                 epoch == max_handed_out_epoch && current_epoch == 0;
  const bool retry_on_bump = current_epoch == epoch + 1;
  const bool retry = retry_on_overflow || retry_on_bump;
  bool valid_epoch = false;
  switch (cur.state) {
    case txn_state::ongoing:
    case txn_state::empty:
    case txn_state::dead:
    case txn_state::prepare_epoch_fence: valid_epoch = epoch == current_epoch; break;
    case txn_state::prepare_commit:
    case txn_state::prepare_abort: valid_epoch = retry_on_bump; break;
    case txn_state::complete_commit:
    case txn_state::complete_abort: valid_epoch = retry || epoch == current_epoch; break;
  }
  if (cur.producer_id != producer.producer_id && !retry_on_overflow)
    return refused<end_decision>(error_code::invalid_producer_id_mapping);
  if (!valid_epoch) return refused<end_decision>(error_code::producer_fenced);

  auto retried = [&cur] {
    end_decision d;  // NONE, answered with what the client goes on with
    d.answer = {cur.producer_id, cur.producer_epoch};
    return d;
  };
  auto prepare = [&](txn_state to, bool no_partition_added) {
    // The last epoch is about to be used: the transaction moves to a new id.
    if (epoch_exhausted(cur.producer_epoch) && !fresh_producer_id) return needs_producer_id<end_decision>();
    end_decision d;
    d.next = prepared_end(cur, to, txn_version::tv2,
                          epoch_exhausted(cur.producer_epoch) ? *fresh_producer_id : no_producer_id,
                          no_partition_added, now_ms);
    d.answer = completed_producer(*d.next);
    return d;
  };
  const auto invalid = refused<end_decision>(error_code::invalid_txn_state);
  switch (cur.state) {
    case txn_state::ongoing: return prepare(commit ? txn_state::prepare_commit : txn_state::prepare_abort, false);
    case txn_state::complete_commit:
      if (commit) return retry ? retried() : invalid;
      return retry ? invalid : prepare(txn_state::prepare_abort, true);
    case txn_state::complete_abort:
      if (!commit) return retry ? retried() : prepare(txn_state::prepare_abort, true);
      return invalid;
    case txn_state::prepare_commit: return commit ? refused<end_decision>(error_code::concurrent_transactions) : invalid;
    case txn_state::prepare_abort: return commit ? invalid : refused<end_decision>(error_code::concurrent_transactions);
    case txn_state::empty: return commit ? invalid : prepare(txn_state::prepare_abort, true);
    case txn_state::dead:
    case txn_state::prepare_epoch_fence: return refused<end_decision>(error_code::unknown_server_error);
  }
  return refused<end_decision>(error_code::unknown_server_error);
}

}  // namespace

std::string_view name_of(txn_state s) {
  for (const auto& [state, name] : names)
    if (state == s) return name;
  return "Unknown";
}

std::optional<txn_state> state_named(std::string_view name) {
  for (const auto& [state, n] : names)
    if (n == name) return state;
  return std::nullopt;
}

std::optional<txn_state> state_of_id(std::int8_t id) {
  if (id < 0 || id >= static_cast<std::int8_t>(names.size())) return std::nullopt;
  return static_cast<txn_state>(id);
}

bool supports_epoch_bump(txn_version v) {
  switch (v) {
    case txn_version::tv0:
    case txn_version::tv1: return false;
    case txn_version::tv2: return true;
  }
  return false;
}

std::optional<txn_version> txn_version_of(std::int16_t level) {
  for (auto v : {txn_version::tv0, txn_version::tv1, txn_version::tv2})
    if (static_cast<std::int16_t>(v) == level) return v;
  return std::nullopt;
}

bool valid_timeout(std::int32_t timeout_ms, std::int32_t max_timeout_ms) {
  return timeout_ms > 0 && timeout_ms <= max_timeout_ms;
}

bool preparing(txn_state s) { return s == txn_state::prepare_commit || s == txn_state::prepare_abort; }

init_decision decide_init_producer_id(const transaction_metadata* current, const std::string& transactional_id,
                                      std::int32_t timeout_ms, std::optional<producer_id_and_epoch> expected,
                                      std::optional<std::int64_t> fresh_producer_id, std::int64_t now_ms) {
  init_decision d;
  if (current == nullptr) {
    // First use: a new producer id at epoch 0, whatever the request names
    // (a producer recovering from UNKNOWN_PRODUCER_ID gets the new id).
    if (!fresh_producer_id) return needs_producer_id();
    transaction_metadata created;
    created.transactional_id = transactional_id;
    created.producer_id = *fresh_producer_id;
    d.next = initialized(created, *fresh_producer_id, 0, no_producer_epoch, timeout_ms, now_ms);
    return d;
  }
  const auto& cur = *current;
  if (expected && !may_take_over(cur, *expected)) return refused<init_decision>(error_code::producer_fenced);
  switch (cur.state) {
    case txn_state::prepare_commit:
    case txn_state::prepare_abort:
      // Markers are on their way: the client backs off and retries.
      return refused<init_decision>(error_code::concurrent_transactions);
    case txn_state::ongoing:
      // Abort the open transaction first, under a bumped epoch that fences
      // its producer; that epoch is never handed out: the client retries
      // (CONCURRENT_TRANSACTIONS) and its retry bumps again (or rotates the
      // id, should this bump have exhausted the epochs).
      d.next = fence_and_abort(cur, now_ms);
      d.fences = true;
      return d;
    case txn_state::empty:
    case txn_state::complete_commit:
    case txn_state::complete_abort: break;
    case txn_state::dead:
    case txn_state::prepare_epoch_fence:
      // Never installed (see the header): a record we should not have read.
      return refused<init_decision>(error_code::unknown_server_error);
  }
  if (epoch_exhausted(cur.producer_epoch) && (!expected || expected->epoch == cur.producer_epoch)) {
    // No epoch left to bump to: a new producer id, epoch 0.
    if (!fresh_producer_id) return needs_producer_id();
    d.next = initialized(cur, *fresh_producer_id, 0, expected ? cur.producer_epoch : no_producer_epoch, timeout_ms,
                         now_ms);
    return d;
  }
  if (!expected) {
    // A new producer instance: bump, and forget the last epoch so that the
    // previous instance's retries are fenced.
    d.next = initialized(cur, cur.producer_id, static_cast<std::int16_t>(cur.producer_epoch + 1), no_producer_epoch,
                         timeout_ms, now_ms);
  } else if (cur.producer_epoch == no_producer_epoch || expected->epoch == cur.producer_epoch) {
    // The current producer continuing after an error (KIP-360).
    d.next = initialized(cur, cur.producer_id, static_cast<std::int16_t>(cur.producer_epoch + 1), cur.producer_epoch,
                         timeout_ms, now_ms);
  } else if (expected->epoch == cur.last_producer_epoch) {
    // A retry of a bump that succeeded: the same epoch again.
    d.next = initialized(cur, cur.producer_id, cur.producer_epoch, cur.last_producer_epoch, timeout_ms, now_ms);
  } else {
    return refused<init_decision>(error_code::producer_fenced);
  }
  return d;
}

txn_decision decide_add_partitions(const transaction_metadata* current, producer_id_and_epoch producer,
                                   const std::set<txn_partition>& partitions, txn_version version,
                                   std::int64_t now_ms) {
  if (current == nullptr || current->producer_id != producer.producer_id)
    return refused<txn_decision>(error_code::invalid_producer_id_mapping);
  const auto& cur = *current;
  if (cur.producer_epoch != producer.epoch) return refused<txn_decision>(error_code::producer_fenced);
  std::int64_t start = cur.start_timestamp;
  switch (cur.state) {
    case txn_state::prepare_commit:
    case txn_state::prepare_abort: return refused<txn_decision>(error_code::concurrent_transactions);
    case txn_state::ongoing:
      if (std::includes(cur.partitions.begin(), cur.partitions.end(), partitions.begin(), partitions.end()))
        return {};  // all in already: nothing to write
      break;
    case txn_state::empty:
    case txn_state::complete_commit:
    case txn_state::complete_abort: start = now_ms; break;  // a new transaction begins (implicitly under TV2)
    case txn_state::dead:
    case txn_state::prepare_epoch_fence: return refused<txn_decision>(error_code::invalid_txn_state);
  }
  transaction_metadata next = transition_from(cur);
  next.state = txn_state::ongoing;
  next.partitions.insert(partitions.begin(), partitions.end());
  next.start_timestamp = start;
  next.last_update_timestamp = now_ms;
  next.client_version = version;
  return changed(std::move(next));
}

verify_decision decide_verify_partitions(const transaction_metadata* current, std::int64_t producer_id,
                                         std::int16_t producer_epoch, const std::set<txn_partition>& partitions) {
  verify_decision d;
  if (current == nullptr || current->producer_id != producer_id) d.error = error_code::invalid_producer_id_mapping;
  else if (current->producer_epoch != producer_epoch) d.error = error_code::producer_fenced;
  else if (preparing(current->state)) d.error = error_code::concurrent_transactions;
  for (const auto& p : partitions) {
    if (d.error != error_code::none) d.partitions[p] = d.error;
    else d.partitions[p] = current->partitions.count(p) ? error_code::none : error_code::transaction_abortable;
  }
  return d;
}

end_decision decide_end_txn(const transaction_metadata* current, producer_id_and_epoch producer, bool commit,
                            txn_version version, std::optional<std::int64_t> fresh_producer_id,
                            std::int64_t now_ms) {
  if (current == nullptr) return refused<end_decision>(error_code::invalid_producer_id_mapping);
  if (supports_epoch_bump(version)) return decide_end_txn_v2(*current, producer, commit, fresh_producer_id, now_ms);
  if (current->producer_id != producer.producer_id)
    return refused<end_decision>(error_code::invalid_producer_id_mapping);
  return decide_end_txn_v1(*current, commit, producer.epoch, now_ms);
}

transaction_metadata fence_and_abort(const transaction_metadata& ongoing, std::int64_t now_ms) {
  // Kafka's prepareFenceProducerEpoch: InitProducerId never hands out the
  // last epoch, so there is always one to fence with; should a replayed
  // record hold it anyway, fence under it.
  transaction_metadata fenced = ongoing;
  if (ongoing.producer_epoch < std::numeric_limits<std::int16_t>::max())
    fenced.producer_epoch = static_cast<std::int16_t>(ongoing.producer_epoch + 1);
  fenced.last_producer_epoch = no_producer_epoch;
  return prepared_end(fenced, txn_state::prepare_abort, ongoing.client_version, no_producer_id, false, now_ms);
}

transaction_metadata complete(const transaction_metadata& prepared, std::int64_t now_ms) {
  transaction_metadata next = transition_from(prepared);
  next.state = prepared.state == txn_state::prepare_commit ? txn_state::complete_commit : txn_state::complete_abort;
  const auto producer = completed_producer(prepared);
  next.producer_id = producer.producer_id;
  next.producer_epoch = producer.epoch;
  next.next_producer_id = no_producer_id;
  next.partitions.clear();
  next.last_update_timestamp = now_ms;
  return next;
}

bool timed_out(const transaction_metadata& m, std::int64_t now_ms) {
  return m.state == txn_state::ongoing && m.start_timestamp + m.timeout_ms < now_ms;
}

bool expired(const transaction_metadata& m, std::int64_t now_ms, std::int64_t expiration_ms) {
  switch (m.state) {
    case txn_state::empty:
    case txn_state::complete_commit:
    case txn_state::complete_abort: return m.last_update_timestamp <= now_ms - expiration_ms;
    case txn_state::ongoing:
    case txn_state::prepare_commit:
    case txn_state::prepare_abort:
    case txn_state::dead:
    case txn_state::prepare_epoch_fence: return false;
  }
  return false;
}

}  // namespace sluice::group_coordinator::txn
