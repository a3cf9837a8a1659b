#pragma once
// Small pieces the files of coordinator_state share (not part of its
// interface): the logger, answers, copy-on-write edits of topics with their
// per-partition results, the loop over every partition, and the
// STORAGE_FAILURE answer when a commit fails.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/logging/logger.h"
#include "services/coordinator/coordinator_state.h"
#include "services/coordinator/partition_record.h"

namespace sluice::coordinator {

inline std::shared_ptr<spdlog::logger> log() { return logging::get("coordinator"); }

inline constexpr const char* storage_failure_message = "metadata store write failed";

/// A response with only its error set (a request refused as a whole, or an
/// answer whose other fields the caller fills in).
template <class Response>
Response answer(cv1::CoordinatorError error) {
  Response r;
  r.set_error(error);
  return r;
}

/// The partition numbered `partition` in `t`, or nullptr.
mv1::PartitionInfo* find_partition(mv1::TopicInfo& t, std::int32_t partition);
const mv1::PartitionInfo* find_partition(const mv1::TopicInfo& t, std::int32_t partition);

/// Copies of the topics one request changes, made on first touch: later
/// items of the request see the earlier ones' changes, while the committed
/// state stays as it is until the commit.
class topic_edits {
 public:
  explicit topic_edits(const std::map<std::string, mv1::TopicInfo>& topics) : topics_(topics) {}

  /// The editable copy of topic/partition, or nullptr when either is unknown.
  mv1::PartitionInfo* partition(const std::string& topic, std::int32_t partition);
  /// Moves every touched topic into `c`.
  void move_into(change_set& c);

 private:
  const std::map<std::string, mv1::TopicInfo>& topics_;
  std::map<std::string, mv1::TopicInfo> edited_;
};

/// Appends the result for topic/partition to `results` (a RepeatedPtrField of
/// per-partition results) and returns it with the partition's editable copy.
/// When the topic or partition is unknown the copy is nullptr and the result
/// already says UNKNOWN_PARTITION (with `unknown_message`, where the result
/// type has a message).
template <class Results>
auto add_result(Results& results, topic_edits& edits, const std::string& topic, std::int32_t partition,
                const char* unknown_message = "") {
  auto* r = results.Add();
  r->set_topic(topic);
  r->set_partition(partition);
  auto* info = edits.partition(topic, partition);
  if (!info) {
    r->set_error(cv1::UNKNOWN_PARTITION);
    if constexpr (requires { r->set_error_message(unknown_message); }) r->set_error_message(unknown_message);
  }
  return std::pair{r, info};
}

/// Runs `change` over every partition of every topic; each topic with a
/// changed partition goes into `c.upsert_topics` once. `change` returns the
/// partition's next record, or nullopt to leave it.
using partition_change_fn =
    std::function<std::optional<partition_record>(const mv1::TopicInfo&, const partition_record&)>;
void change_every_partition(const std::map<std::string, mv1::TopicInfo>& topics, change_set& c,
                            const partition_change_fn& change);

/// After a failed commit: results `indexes` of `results` (a RepeatedPtrField
/// of per-item results with error and error_message) become STORAGE_FAILURE.
template <class Results>
void mark_storage_failure(Results& results, const std::vector<int>& indexes) {
  for (int i : indexes) {
    auto* r = results.Mutable(i);
    r->set_error(cv1::STORAGE_FAILURE);
    r->set_error_message(storage_failure_message);
  }
}

}  // namespace sluice::coordinator
