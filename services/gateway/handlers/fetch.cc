// Fetch: one NNG message per partition server; each answers with its
// partitions' record bytes in its payload, which are spliced into the Kafka
// response without being decoded. Sessions (KIP-227) are not kept: the
// answer always carries session id 0, so clients keep sending full fetches.
//
// Isolation: isolation_level goes to the partition servers; read_committed
// reads stop at each partition's last stable offset and list the aborted
// transactions overlapping the records, so the client drops their records
// (fetch_result.h).
#include <mutex>

#include "common/messaging/methods.h"
#include "common/protocol/messages/fetch.h"
#include "partition.pb.h"
#include "services/gateway/error_mapping.h"
#include "services/gateway/fan_out.h"
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

// The answer under construction and the replies that own the record bytes
// it points into.
struct fetch_answer {
  protocol::fetch_response response;
  std::mutex mutex;
  std::vector<messaging::message> replies;
  std::size_t record_bytes = 0;  // guarded by mutex until all replies are in
  std::size_t partitions = 0;
};

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

}  // namespace

void handle_fetch(request_context ctx) {
  auto request = ctx.decode<protocol::fetch_request>();
  auto answer = std::make_shared<fetch_answer>();
  auto view = ctx.services->metadata.current();
  static const std::byte nothing{};

  std::map<std::int32_t, fetch_batch> by_server;
  bool any_error = false;
  answer->response.responses.reserve(request.topics.size());
  for (const auto& topic : request.topics) {
    auto& topic_out = answer->response.responses.emplace_back();
    topic_out.topic = topic.topic;
    topic_out.partitions.reserve(topic.partitions.size());
    for (const auto& part : topic.partitions) {
      // A full fetch answer names every requested partition, with empty
      // records when there is nothing to give.
      auto& out = topic_out.partitions.emplace_back();
      out.partition_index = part.partition;
      out.high_watermark = -1;
      out.aborted_transactions = std::nullopt;  // until a read_committed answer without error
      out.records = std::span<const std::byte>(&nothing, 0);
      const auto* info = view->partition(topic.topic, part.partition);
      if (auto error = check(request.isolation_level, info); error != error_code::none) {
        out.error_code = code(error);
        any_error = true;
        continue;
      }
      auto& batch = by_server[info->leader()];
      auto* fetch = batch.header.add_partitions();
      fetch->set_topic(topic.topic);
      fetch->set_partition(part.partition);
      fetch->set_fetch_offset(part.fetch_offset);
      fetch->set_partition_max_bytes(part.partition_max_bytes);
      fetch->set_current_leader_epoch(part.current_leader_epoch);
      batch.answers.push_back(&out);
    }
    answer->partitions += topic.partitions.size();
  }
  auto done = [ctx, answer] {
    // Per partition, the fixed fields take well under 64 bytes.
    ctx.respond(answer->response, answer->record_bytes + 64 * answer->partitions);
  };
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
