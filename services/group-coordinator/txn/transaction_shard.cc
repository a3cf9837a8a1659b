#include "services/group-coordinator/txn/transaction_shard.h"

#include <algorithm>
#include <limits>
#include <utility>
#include <vector>

#include "services/group-coordinator/txn/transaction_log_records.h"

namespace sluice::group_coordinator::txn {

namespace {

/// The coordinator epoch markers carry (Kafka's is the partition leader
/// epoch, an int32): our shard epoch.
std::int32_t coordinator_epoch_of(std::int64_t shard_epoch) {
  return static_cast<std::int32_t>(std::min<std::int64_t>(shard_epoch, std::numeric_limits<std::int32_t>::max()));
}

/// A result that writes `next` as the id's record.
template <class Response>
coordinator_result<Response> write_of(const transaction_metadata& next, Response response,
                                      std::function<void()> apply) {
  coordinator_result<Response> r;
  r.records.push_back(txn_record(next));
  r.response = std::move(response);
  r.apply = std::move(apply);
  return r;
}

}  // namespace

transaction_shard::transaction_shard(std::int32_t partition, std::int64_t epoch, const transaction_options& options,
                                     record_log& log, producer_id_source& ids, marker_channel& markers)
    : partition_(partition),
      epoch_(epoch),
      options_(options),
      ids_(ids),
      writer_(log, partition, epoch),
      markers_(markers, coordinator_epoch_of(epoch)) {}

transaction_shard::~transaction_shard() { close(); }

void transaction_shard::apply(std::string_view key, std::optional<std::string_view> value) {
  auto id = decode_txn_key(key);
  if (!id) return;  // a key version Kafka does not define: not ours to read
  if (!value) {
    txns_.erase(*id);  // the id expired
    return;
  }
  auto m = decode_txn_value(*id, *value);
  // Kafka writes neither state; were one there, the id is as good as gone
  // (Dead) or its abort not yet durable (PrepareEpochFence: the Ongoing
  // record before it stands).
  if (m.state == txn_state::dead) txns_.erase(*id);
  else if (m.state != txn_state::prepare_epoch_fence) txns_[*id] = std::move(m);
}

void transaction_shard::loaded(std::int64_t now_ms) {
  now_ms_ = std::max(now_ms_, now_ms);
  for (const auto& [id, m] : txns_)
    if (preparing(m.state)) start_markers(m);
  next_abort_check_ms_ = now_ms;  // the first tick aborts what timed out while nobody served the shard
  next_expiration_check_ms_ = now_ms + options_.expiration_check_interval_ms;
}

const transaction_metadata* transaction_shard::find(const std::string& transactional_id) const {
  auto it = txns_.find(transactional_id);
  return it == txns_.end() ? nullptr : &it->second;
}

void transaction_shard::install(const transaction_metadata& m) {
  txns_[m.transactional_id] = m;
  if (preparing(m.state)) start_markers(m);
}

void transaction_shard::start_markers(const transaction_metadata& prepared) {
  markers_.start(prepared, now_ms_, [this, prepared] { write_completion(prepared); });
}

void transaction_shard::init_producer_id(const std::string& transactional_id, std::int32_t timeout_ms,
                                         std::optional<producer_id_and_epoch> expected, std::int64_t now_ms,
                                         std::function<void(init_answer)> done) {
  if (!valid_timeout(timeout_ms, options_.max_timeout_ms))
    return done({.error = error_code::invalid_transaction_timeout});
  init_with(transactional_id, timeout_ms, expected, now_ms, std::nullopt, std::move(done));
}

void transaction_shard::init_with(const std::string& transactional_id, std::int32_t timeout_ms,
                                  std::optional<producer_id_and_epoch> expected, std::int64_t now_ms,
                                  std::optional<std::int64_t> fresh_producer_id,
                                  std::function<void(init_answer)> done) {
  now_ms_ = std::max(now_ms_, now_ms);
  auto operation = [this, transactional_id, timeout_ms, expected, now_ms, fresh_producer_id] {
    auto d = decide_init_producer_id(find(transactional_id), transactional_id, timeout_ms, expected,
                                     fresh_producer_id, now_ms);
    if (d.needs_producer_id) return answered_now(init_step{.answer = {}, .needs_producer_id = true});
    if (!d.next) return answered_now(init_step{.answer = {.error = d.error}});
    const auto next = *d.next;
    // A fence is answered CONCURRENT_TRANSACTIONS: the client retries
    // once the abort is complete, and gets the epoch after this one.
    init_step answer{.answer = d.fences ? init_answer{.error = error_code::concurrent_transactions}
                                        : init_answer{error_code::none, next.producer_id, next.producer_epoch}};
    auto r = write_of<init_step>(next, answer, [this, next] { install(next); });
    r.failed = [](error_code e) { return init_step{.answer = {.error = group_write_error(e)}}; };
    return r;
  };
  auto respond = [this, transactional_id, timeout_ms, expected, now_ms, done](init_step step) {
    if (!step.needs_producer_id) return done(step.answer);
    // Decide again with the id: the state may have changed meanwhile
    // (the id then goes unused, as Kafka's sometimes do).
    with_new_producer_id(
        [this, transactional_id, timeout_ms, expected, now_ms, done](std::int64_t id) {
          init_with(transactional_id, timeout_ms, expected, now_ms, id, done);
        },
        [done](error_code e) { done({.error = e}); });
  };
  writer_.run<init_step>(transactional_id, operation, respond,
                         [](error_code e) { return init_step{.answer = {.error = e}}; });
}

void transaction_shard::with_new_producer_id(std::function<void(std::int64_t)> again,
                                             std::function<void(error_code)> failed) {
  std::weak_ptr<bool> alive = alive_;
  ids_.next_producer_id([alive, again = std::move(again), failed = std::move(failed)](std::optional<std::int64_t> id,
                                                                                       error_code e) {
    if (alive.expired()) return failed(error_code::not_coordinator);
    if (!id) return failed(e);
    again(*id);
  });
}

void transaction_shard::add_partitions(const std::string& transactional_id, producer_id_and_epoch producer,
                                       std::set<txn_partition> partitions, txn_version version, std::int64_t now_ms,
                                       std::function<void(error_code)> done) {
  run_decision(transactional_id, now_ms,
               [producer, partitions = std::move(partitions), version, now_ms](const transaction_metadata* cur) {
                 return decide_add_partitions(cur, producer, partitions, version, now_ms);
               },
               std::move(done));
}

void transaction_shard::end_txn(const std::string& transactional_id, producer_id_and_epoch producer, bool commit,
                                txn_version version, std::int64_t now_ms, std::function<void(end_answer)> done) {
  end_with(transactional_id, producer, commit, version, now_ms, std::nullopt, std::move(done));
}

void transaction_shard::end_with(const std::string& transactional_id, producer_id_and_epoch producer, bool commit,
                                 txn_version version, std::int64_t now_ms,
                                 std::optional<std::int64_t> fresh_producer_id, std::function<void(end_answer)> done) {
  now_ms_ = std::max(now_ms_, now_ms);
  // Answered once Prepare* is durable: the outcome is decided, the markers
  // follow (install() starts them).
  auto operation = [this, transactional_id, producer, commit, version, now_ms, fresh_producer_id] {
    auto d = decide_end_txn(find(transactional_id), producer, commit, version, fresh_producer_id, now_ms);
    if (d.needs_producer_id) return answered_now(end_step{.answer = {}, .needs_producer_id = true});
    end_step step{.answer = {d.error, d.answer.producer_id, d.answer.epoch}};
    if (!d.next) return answered_now(step);
    const auto next = *d.next;
    auto r = write_of<end_step>(next, step, [this, next] { install(next); });
    r.failed = [](error_code e) { return end_step{.answer = {.error = group_write_error(e)}}; };
    return r;
  };
  auto respond = [this, transactional_id, producer, commit, version, now_ms, done](end_step step) {
    if (!step.needs_producer_id) return done(step.answer);
    with_new_producer_id(
        [this, transactional_id, producer, commit, version, now_ms, done](std::int64_t id) {
          end_with(transactional_id, producer, commit, version, now_ms, id, done);
        },
        [done](error_code e) { done({.error = e}); });
  };
  writer_.run<end_step>(transactional_id, operation, respond,
                        [](error_code e) { return end_step{.answer = {.error = e}}; });
}

void transaction_shard::run_decision(const std::string& transactional_id, std::int64_t now_ms,
                                     std::function<txn_decision(const transaction_metadata*)> decide,
                                     std::function<void(error_code)> done) {
  now_ms_ = std::max(now_ms_, now_ms);
  auto operation = [this, transactional_id, decide = std::move(decide)] {
    auto d = decide(find(transactional_id));
    if (!d.next) return answered_now(d.error);
    const auto next = *d.next;
    auto r = write_of<error_code>(next, error_code::none, [this, next] { install(next); });
    r.failed = [](error_code e) { return group_write_error(e); };
    return r;
  };
  writer_.run<error_code>(transactional_id, operation, std::move(done), [](error_code e) { return e; });
}

void transaction_shard::write_completion(const transaction_metadata& prepared) {
  const auto id = prepared.transactional_id;
  auto r = [this, prepared, id] {
    auto* cur = find(id);
    // Still the round the markers were for (a new owner or a fence would
    // have changed it)?
    if (cur == nullptr || cur->state != prepared.state || cur->producer_id != prepared.producer_id ||
        cur->producer_epoch != prepared.producer_epoch)
      return answered_now(std::monostate{});
    const auto next = complete(*cur, now_ms_);
    auto result = write_of<std::monostate>(next, {}, [this, next] { install(next); });
    // Kafka retries a completion that could not be written; one refused
    // because the shard moved is the next owner's to finish.
    result.failed = [this, id](error_code e) {
      if (e != error_code::not_coordinator) completions_to_retry_.insert(id);
      return std::monostate{};
    };
    return result;
  };
  run_timer_write(id, r);
}

void transaction_shard::abort_timed_out(const std::string& transactional_id) {
  run_timer_write(transactional_id, [this, transactional_id] {
    auto* cur = find(transactional_id);
    if (cur == nullptr || !timed_out(*cur, now_ms_)) return answered_now(std::monostate{});
    // As Kafka's timeout abort: the epoch is bumped, so the producer that
    // let its transaction time out is fenced by the markers.
    const auto next = fence_and_abort(*cur, now_ms_);
    return write_of<std::monostate>(next, {}, [this, next] { install(next); });
  });
}

void transaction_shard::expire(const std::string& transactional_id) {
  run_timer_write(transactional_id, [this, transactional_id] {
    auto* cur = find(transactional_id);
    if (cur == nullptr || !expired(*cur, now_ms_, options_.id_expiration_ms)) return answered_now(std::monostate{});
    coordinator_result<std::monostate> r;
    r.records.push_back(txn_tombstone(transactional_id));
    r.apply = [this, transactional_id] { txns_.erase(transactional_id); };
    return r;
  });
}

void transaction_shard::run_timer_write(const std::string& transactional_id,
                                        std::function<coordinator_result<std::monostate>()> operation) {
  writer_.run<std::monostate>(
      transactional_id, std::move(operation), [](std::monostate) {}, [](error_code) { return std::monostate{}; });
}

void transaction_shard::tick(std::int64_t now_ms) {
  now_ms_ = std::max(now_ms_, now_ms);
  markers_.tick(now_ms);
  auto retry = std::move(completions_to_retry_);
  completions_to_retry_.clear();
  for (const auto& id : retry) {
    auto* cur = find(id);
    if (cur != nullptr && preparing(cur->state) && !markers_.sending(id)) write_completion(*cur);
  }
  std::vector<std::string> due;
  if (now_ms >= next_abort_check_ms_) {
    next_abort_check_ms_ = now_ms + options_.abort_check_interval_ms;
    for (const auto& [id, m] : txns_)
      if (timed_out(m, now_ms) && !writer_.writing(id)) due.push_back(id);
    for (const auto& id : due) abort_timed_out(id);
  }
  if (now_ms >= next_expiration_check_ms_) {
    next_expiration_check_ms_ = now_ms + options_.expiration_check_interval_ms;
    due.clear();
    for (const auto& [id, m] : txns_)
      if (expired(m, now_ms, options_.id_expiration_ms) && !writer_.writing(id)) due.push_back(id);
    for (const auto& id : due) expire(id);
  }
}

void transaction_shard::close() {
  alive_ = std::make_shared<bool>(true);
  markers_.close();
  writer_.close();
}

}  // namespace sluice::group_coordinator::txn
