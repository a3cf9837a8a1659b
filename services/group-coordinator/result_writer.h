#pragma once
// The one writer of a shard's records: it takes each operation's
// coordinator_result, appends its records to the shard's partition, and
// only once they are durable applies the change to memory and answers. A
// failed append applies nothing and answers the result's error.
//
// One write at a time per key (a group id): an operation of a key whose
// write is under way waits, in order, and runs on what that write left, so
// a result is never computed from a state about to be replaced, and the
// state a result replaces is the one it was computed from. Writes without
// a key (committed offsets) hold nothing: their records apply in log order
// whatever else is written.
//
// Generic in the response type, so every coordinator built on
// record_log (groups now, transactions next) writes the same way.
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "services/group-coordinator/coordinator_result.h"
#include "services/group-coordinator/record_log.h"

namespace sluice::group_coordinator {

/// Writes one shard's results through its record_log. Owned by the shard,
/// on the owner's actor. Invariants: at most one write per key is under
/// way; an operation waiting for a key runs only once no write of the key
/// is; every operation handed in is answered exactly once (close() answers
/// what is still open with NOT_COORDINATOR). Not thread-safe.
class result_writer {
 public:
  result_writer(record_log& log, std::int32_t partition, std::int64_t epoch);

  /// Whether a write of `key` is under way (its operations wait for it).
  bool writing(const std::string& key) const;

  /// Runs `operation` once no write of `key` is under way (at once, or
  /// after that write and the operations queued before it), then writes
  /// its result, holding `key` until the records are durable. `refused`
  /// answers it if the writer closes before it runs.
  template <class Response>
  void run(const std::string& key, std::function<coordinator_result<Response>()> operation,
           std::function<void(Response)> respond, std::function<Response(protocol::error_code)> refused);

  /// Writes a result that holds no key (see above).
  template <class Response>
  void write(coordinator_result<Response> result, std::function<void(Response)> respond) {
    write_result(std::nullopt, std::move(result), std::move(respond));
  }
  /// The same, its records written as one transactional batch of `producer`
  /// (TxnOffsetCommit).
  template <class Response>
  void write_transactional(txn_producer producer, coordinator_result<Response> result,
                           std::function<void(Response)> respond) {
    write_result(std::nullopt, std::move(result), std::move(respond), producer);
  }
  /// Writes `marker` (the result has no records) and, once it is durable,
  /// applies the result and answers; it holds no key. In log order with the
  /// other writes, so its effect applies after theirs, as a replay would.
  template <class Response>
  void write_marker(txn_marker marker, coordinator_result<Response> result, std::function<void(Response)> respond) {
    write_result(std::nullopt, std::move(result), std::move(respond), marker);
  }

  /// The shard is no longer ours: writes under way are answered as failed
  /// with NOT_COORDINATOR and never applied, waiting operations are
  /// refused, and what is handed in later is refused at once.
  void close();

 private:
  struct write_in_flight {
    std::optional<std::string> key;
    std::function<void(protocol::error_code)> done;  // applies and answers, or answers the failure
    std::function<void()> refuse;                    // close(): answers NOT_COORDINATOR
  };
  struct key_queue {
    bool writing = false;
    std::deque<std::function<void(bool run)>> waiting;  // run(false): refuse, the writer closed
  };

  /// How a result's records reach the log: a plain batch, a transactional
  /// batch of a producer, or a marker (no records).
  using write_kind = std::variant<std::monostate, txn_producer, txn_marker>;

  template <class Response>
  void write_result(std::optional<std::string> key, coordinator_result<Response> result,
                    std::function<void(Response)> respond, write_kind kind = {});
  void append(std::optional<std::string> key, write_kind kind, std::vector<record_log::record> records,
              std::function<void(protocol::error_code)> done, std::function<void()> refuse);
  void completed(std::uint64_t write, protocol::error_code e);
  /// Runs what waited for `key`, until one of them writes it again.
  void run_waiting(const std::string& key);

  record_log& log_;
  std::int32_t partition_;
  std::int64_t epoch_;
  bool closed_ = false;
  std::uint64_t last_write_ = 0;
  std::map<std::uint64_t, write_in_flight> in_flight_;
  std::map<std::string, key_queue> keys_;  // keys writing, or with operations waiting
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);  // completions outliving the writer do nothing
};

template <class Response>
void result_writer::run(const std::string& key, std::function<coordinator_result<Response>()> operation,
                        std::function<void(Response)> respond, std::function<Response(protocol::error_code)> refused) {
  if (closed_) return respond(refused(protocol::error_code::not_coordinator));
  if (writing(key)) {
    keys_[key].waiting.push_back([this, key, operation = std::move(operation), respond = std::move(respond),
                                  refused = std::move(refused)](bool run) mutable {
      if (!run) return respond(refused(protocol::error_code::not_coordinator));
      this->run<Response>(key, std::move(operation), std::move(respond), std::move(refused));
    });
    return;
  }
  write_result(key, operation(), std::move(respond));
}

template <class Response>
void result_writer::write_result(std::optional<std::string> key, coordinator_result<Response> result,
                                 std::function<void(Response)> respond, write_kind kind) {
  auto shared = std::make_shared<coordinator_result<Response>>(std::move(result));
  auto answer_failure = [shared, respond](protocol::error_code e) {
    respond(shared->failed ? shared->failed(e) : Response{});
  };
  if (closed_) return answer_failure(protocol::error_code::not_coordinator);
  if (shared->records.empty() && !std::holds_alternative<txn_marker>(kind)) {
    if (shared->apply) shared->apply();
    return respond(std::move(shared->response));
  }
  auto records = std::move(shared->records);
  append(std::move(key), kind, std::move(records),
         [shared, respond, answer_failure](protocol::error_code e) {
           if (e == protocol::error_code::none) {
             if (shared->apply) shared->apply();
             return respond(std::move(shared->response));
           }
           answer_failure(e);
           if (shared->after_failure) shared->after_failure();
         },
         [answer_failure] { answer_failure(protocol::error_code::not_coordinator); });
}

}  // namespace sluice::group_coordinator
