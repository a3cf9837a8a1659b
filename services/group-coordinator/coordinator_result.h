#pragma once
// A coordinator operation's outcome as a value (Kafka's CoordinatorResult):
// the records that make its change durable, the answer for whoever asked,
// and the change itself, which reaches memory only once the records are
// durable. Every group operation (classic and KIP-848 groups, offsets,
// DeleteGroups, timers) produces one; result_writer is what writes it.
//
//   operation --> coordinator_result{records, response, apply, failed}
//   result_writer: append(records) --durable--> apply(); answer response
//                                  --failed---> answer failed(error); after_failure()
//   no records: apply() and answer at once
//
// Kafka replays the records into timeline structures that can roll back;
// here the operation computes the new state on a copy (a group) or names
// the records' effect (offsets, through the same code the shard's replay
// runs), and `apply` installs it. So a failed append has nothing to undo:
// memory never held the change.
#include <functional>
#include <utility>
#include <vector>

#include "common/protocol/error_code.h"
#include "services/group-coordinator/record_log.h"

namespace sluice::group_coordinator {

/// What one operation decided. Built by the operation, consumed once by
/// result_writer. `Response` is what the requester is answered (a timer's
/// operations answer nobody: std::monostate).
template <class Response>
struct coordinator_result {
  /// The records to append. Empty: nothing durable changes; the change is
  /// applied and answered at once.
  std::vector<record_log::record> records;
  /// The answer once the records are durable.
  Response response{};
  /// Puts the change into memory. Runs once the records are durable (at
  /// once without records) and never after a failed append. May be empty
  /// (an operation that only answers).
  std::function<void()> apply;
  /// The answer when the append fails, or the shard closes before it is
  /// durable (NOT_COORDINATOR): Kafka's error for this operation. Memory
  /// stays as it was. Empty: `Response{}`.
  std::function<Response(protocol::error_code)> failed;
  /// Optional: runs after a failed append (not after closing), on memory
  /// as it was, before the operations that waited for this write. Kafka's
  /// classic group starts another rebalance when the leader's assignment
  /// could not be written.
  std::function<void()> after_failure;
};

/// A result that writes nothing: `apply` (if any) runs and `response` is
/// answered at once.
template <class Response>
coordinator_result<Response> answered_now(Response response, std::function<void()> apply = {}) {
  coordinator_result<Response> r;
  r.response = std::move(response);
  r.apply = std::move(apply);
  return r;
}

}  // namespace sluice::group_coordinator
