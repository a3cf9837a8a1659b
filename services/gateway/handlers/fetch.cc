// Fetch: one NNG message per partition server; each answers with its
// partitions' record bytes in its payload, which are spliced into the Kafka
// response without being decoded.
//
// Sessions (KIP-227, v7+): the gateway's fetch_session_cache says which
// partitions to read (the request's, or the whole session's for an
// incremental request) and, once they are read, which to answer and with
// what session id (fetch_sessions.h). v13+ names topics by id.
//
// Isolation: isolation_level goes to the partition servers; read_committed
// reads stop at each partition's last stable offset and list the aborted
// transactions overlapping the records, so the client drops their records
// (fetch_result.h).
#include <chrono>
#include <mutex>

#include "common/messaging/methods.h"
#include "common/protocol/messages/fetch.h"
#include "partition.pb.h"
#include "services/gateway/error_mapping.h"
#include "services/gateway/fan_out.h"
#include "services/gateway/fetch_sessions.h"
#include "services/gateway/handlers/fetch_result.h"
#include "services/gateway/handlers/handler.h"
#include "services/gateway/handlers/handler_util.h"
#include "services/gateway/metadata_cache.h"

namespace sluice::gateway {
namespace {

namespace pv1 = partition::v1;
using protocol::error_code;
using partition_answer = protocol::fetch_response::partition_data;
using fetch_batch = server_batch<pv1::FetchRequest, partition_answer>;

/// Fetch v13+ names topics by id (KIP-516).
constexpr std::int16_t first_topic_id_version = 13;

// The answers under construction (one per partition the context reads, in
// its order) and the replies that own the record bytes they point into.
struct fetch_answer {
  explicit fetch_answer(fetch_context c) : context(std::move(c)), answers(context.partitions().size()) {}
  fetch_context context;
  std::vector<partition_answer> answers;  // never resized: batches point into it
  std::mutex mutex;
  std::vector<messaging::message> replies;
  std::size_t record_bytes = 0;  // guarded by mutex until all replies are in
};

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

void apply(const pv1::FetchResponse& reply, std::span<const std::byte> payload, std::int8_t isolation,
           fetch_batch& batch) {
  std::size_t at = 0;
  for (int i = 0; i < reply.partitions_size() && i < static_cast<int>(batch.answers.size()); ++i) {
    const auto& r = reply.partitions(i);
    auto* out = batch.answers[i];
    apply_fetch_result(r, isolation, *out);
    auto size = std::min<std::size_t>(r.records_size(), payload.size() - at);
    out->records = payload.subspan(at, size);
    at += size;
  }
}

error_code check(std::int8_t isolation, const cluster::mv1::PartitionInfo* info) {
  if (!is_known_isolation_level(isolation)) return error_code::invalid_request;
  if (info == nullptr) return error_code::unknown_topic_or_partition;
  if (info->leader() < 0) return error_code::not_leader_or_follower;
  return error_code::none;
}

/// The request's partitions and forgotten partitions as the session cache
/// keys them.
std::vector<fetch_wanted> requested_partitions(const protocol::fetch_request& request) {
  std::vector<fetch_wanted> out;
  for (const auto& topic : request.topics)
    for (const auto& part : topic.partitions)
      out.push_back({.key = {.topic_id = topic.topic_id, .topic = topic.topic, .partition = part.partition},
                     .params = part});
  return out;
}

std::vector<fetch_partition_key> forgotten_partitions(const protocol::fetch_request& request) {
  std::vector<fetch_partition_key> out;
  for (const auto& topic : request.forgotten_topics_data)
    for (auto partition : topic.partitions)
      out.push_back({.topic_id = topic.topic_id, .topic = topic.topic, .partition = partition});
  return out;
}

/// The answer: the partitions `reply` includes, grouped into topics as
/// Kafka's FetchResponse.of groups them (a new topic entry whenever the
/// topic changes from the previous partition's).
protocol::fetch_response build_response(fetch_answer& answer, const fetch_reply& reply, bool by_id) {
  protocol::fetch_response response;
  response.error_code = code(reply.error);
  response.session_id = reply.session_id;
  const auto& read = answer.context.partitions();
  const fetch_partition_key* previous = nullptr;
  for (auto i : reply.included) {
    const auto& key = read[i].key;
    bool same_topic = previous != nullptr && (by_id ? previous->topic_id == key.topic_id : previous->topic == key.topic);
    if (!same_topic) {
      auto& topic = response.responses.emplace_back();
      topic.topic = key.topic;
      topic.topic_id = key.topic_id;
    }
    response.responses.back().partitions.push_back(std::move(answer.answers[i]));
    previous = &key;
  }
  return response;
}

void log_session(const request_context& ctx, const fetch_context& context, const fetch_reply& reply,
                 std::int32_t epoch) {
  using kind = fetch_context::kind;
  switch (context.type()) {
    case kind::session_error:
      ctx.log->debug("fetch at session epoch {}: {}", epoch, protocol::to_string(reply.error));
      return;
    case kind::sessionless:
      return;
    case kind::full:
      ctx.log->debug("fetch session {} opened with {} partitions", reply.session_id, context.partitions().size());
      return;
    case kind::incremental:
      ctx.log->debug("fetch session {} incremental at epoch {}: {} of {} partitions answered ({})", reply.session_id,
                     epoch, reply.included.size(), context.partitions().size(), protocol::to_string(reply.error));
      return;
  }
}

}  // namespace

void handle_fetch(request_context ctx) {
  auto request = ctx.decode<protocol::fetch_request>();
  const bool by_id = ctx.version() >= first_topic_id_version;
  auto answer = std::make_shared<fetch_answer>(ctx.services->fetch_sessions.open(
      request.session_id, request.session_epoch, by_id, requested_partitions(request), forgotten_partitions(request),
      now_ms()));
  auto done = [ctx, answer, by_id, epoch = request.session_epoch] {
    auto reply = answer->context.finish(answer->answers, now_ms());
    log_session(ctx, answer->context, reply, epoch);
    // Per partition, the fixed fields take well under 64 bytes.
    ctx.respond(build_response(*answer, reply, by_id), answer->record_bytes + 64 * reply.included.size());
  };
  if (answer->context.type() == fetch_context::kind::session_error) return done();

  auto view = ctx.services->metadata.current();
  static const std::byte nothing{};
  std::map<std::int32_t, fetch_batch> by_server;
  bool any_error = false;
  const auto& read = answer->context.partitions();
  for (std::size_t i = 0; i < read.size(); ++i) {
    const auto& wanted = read[i];
    // Every answer starts as Kafka's empty one: a full fetch answer names
    // every partition, with empty records when there is nothing to give.
    auto& out = answer->answers[i];
    out.partition_index = wanted.key.partition;
    out.high_watermark = -1;
    out.aborted_transactions = std::nullopt;  // until a read_committed answer without error
    out.records = std::span<const std::byte>(&nothing, 0);
    std::string_view topic = wanted.key.topic;
    if (by_id) {
      // Resolved on every request, since a session outlives a topic's
      // deletion: an id this gateway does not know answers UNKNOWN_TOPIC_ID.
      const auto* info = view->topic_by_id(raw_bytes(wanted.key.topic_id));
      if (info == nullptr) {
        out.error_code = code(error_code::unknown_topic_id);
        any_error = true;
        continue;
      }
      topic = info->name();
    }
    const auto* info = view->partition(topic, wanted.key.partition);
    if (auto error = check(request.isolation_level, info); error != error_code::none) {
      out.error_code = code(error);
      any_error = true;
      continue;
    }
    auto& batch = by_server[info->leader()];
    auto* fetch = batch.header.add_partitions();
    fetch->set_topic(std::string(topic));
    fetch->set_partition(wanted.key.partition);
    fetch->set_fetch_offset(wanted.params.fetch_offset);
    fetch->set_partition_max_bytes(wanted.params.partition_max_bytes);
    fetch->set_current_leader_epoch(wanted.params.current_leader_epoch);
    batch.answers.push_back(&out);
  }
  if (by_server.empty()) return done();

  // Kafka answers at once when a partition has an error: do not park.
  auto max_wait = any_error ? 0 : std::max(request.max_wait_ms, 0);
  auto make_request = [&request, max_wait](fetch_batch& batch) {
    batch.header.set_max_wait_ms(max_wait);
    batch.header.set_min_bytes(request.min_bytes);
    batch.header.set_max_bytes(request.max_bytes);
    batch.header.set_isolation_level(request.isolation_level);
    return messaging::message::make(messaging::method::fetch, batch.header);
  };
  auto on_reply = [answer, isolation = request.isolation_level](fetch_batch& batch, messaging::rpc_status status,
                                                                 messaging::message reply) {
    pv1::FetchResponse parsed;
    if (status != messaging::rpc_status::ok) return fail_all(batch, to_kafka(status));
    if (!reply.parse_header(parsed)) return fail_all(batch, error_code::unknown_server_error);
    apply(parsed, reply.payload(), isolation, batch);
    std::lock_guard lock(answer->mutex);
    answer->record_bytes += reply.payload().size();
    answer->replies.push_back(std::move(reply));
  };
  fan_out<fetch_batch>(ctx.services->servers, *view, std::move(by_server), std::chrono::milliseconds(max_wait + 5000),
                       make_request, on_reply, done);
}

}  // namespace sluice::gateway
