// Produce: record batches go to the partition servers as opaque bytes, one
// NNG message per partition server per request; the answers are assembled
// in request order. With acks=0 the client gets no answer at all.
// Idempotent and transactional batches need little more here: the partition
// servers check producer ids, epochs and sequences (their errors map in
// error_mapping.cc); the transactional_id has to be there when a batch is
// transactional (produce_checks.h), and goes to the leaders with how the
// request's version wants a batch opening a transaction checked with the
// transaction coordinator (KIP-890, produce_versions.h).
#include "common/messaging/methods.h"
#include "common/protocol/messages/produce.h"
#include "partition.pb.h"
#include "services/gateway/error_mapping.h"
#include "services/gateway/fan_out.h"
#include "services/gateway/handlers/handler.h"
#include "services/gateway/handlers/produce_checks.h"
#include "services/gateway/handlers/produce_versions.h"
#include "services/gateway/metadata_cache.h"

namespace sluice::gateway {
namespace {

namespace pv1 = partition::v1;
using protocol::error_code;
using partition_answer = protocol::produce_response::partition_produce_response;

struct produce_batch : server_batch<pv1::ProduceRequest, partition_answer> {
  std::vector<std::span<const std::byte>> records;  // into the request frame
};

void apply(const pv1::ProduceResponse& reply, std::int16_t version, produce_batch& batch) {
  for (int i = 0; i < reply.partitions_size() && i < static_cast<int>(batch.answers.size()); ++i) {
    const auto& r = reply.partitions(i);
    auto* out = batch.answers[i];
    out->error_code = code(produce_error_for(r.error(), version));
    if (!r.error_message().empty()) out->error_message = r.error_message();
    out->base_offset = r.base_offset();
    out->log_append_time_ms = r.log_append_time_ms();
    out->log_start_offset = r.log_start_offset();
  }
}

}  // namespace

void handle_produce(request_context ctx) {
  auto request = std::make_shared<protocol::produce_request>(ctx.decode<protocol::produce_request>());
  auto response = std::make_shared<protocol::produce_response>();
  auto view = ctx.services->metadata.current();

  const bool refuse_all = !request->transactional_id && has_transactional_records(*request);
  std::map<std::int32_t, produce_batch> by_server;
  response->responses.reserve(request->topic_data.size());
  for (const auto& topic : request->topic_data) {
    auto& topic_out = response->responses.emplace_back();
    topic_out.name = topic.name;
    topic_out.partition_responses.reserve(topic.partition_data.size());
    for (const auto& part : topic.partition_data) {
      auto& out = topic_out.partition_responses.emplace_back();
      out.index = part.index;
      if (refuse_all) {
        out.error_code = code(error_code::transactional_id_authorization_failed);
        continue;
      }
      const auto* info = view->partition(topic.name, part.index);
      if (auto error = produce_partition_check(*request, info, part.records); error != error_code::none) {
        out.error_code = code(error);
        continue;
      }
      auto& batch = by_server[info->leader()];
      auto* append = batch.header.add_partitions();
      append->set_topic(topic.name);
      append->set_partition(part.index);
      append->set_records_size(static_cast<std::uint32_t>(part.records->size()));
      batch.records.push_back(*part.records);
      batch.answers.push_back(&out);
    }
  }

  // acks=0: the client expects no answer; its slot is freed once the write
  // is done, so a flood of them still counts against the in-flight limit.
  bool wants_answer = request->acks != 0;
  auto finish = [ctx, response, wants_answer] {
    if (wants_answer) {
      ctx.respond(*response);
    } else {
      ctx.reply.none();
    }
  };
  if (by_server.empty()) return finish();

  auto make_request = [request, version = ctx.version()](produce_batch& batch) {
    batch.header.set_acks(request->acks);
    batch.header.set_timeout_ms(request->timeout_ms);
    set_transaction_fields(batch.header, request->transactional_id, version);
    auto message = messaging::message::make(messaging::method::produce, batch.header);
    for (auto bytes : batch.records) message.append_payload(bytes);
    return message;
  };
  auto on_reply = [version = ctx.version()](produce_batch& batch, messaging::rpc_status status,
                                            messaging::message reply) {
    pv1::ProduceResponse answer;
    if (status != messaging::rpc_status::ok) return fail_all(batch, to_kafka(status));
    if (!reply.parse_header(answer)) return fail_all(batch, error_code::unknown_server_error);
    apply(answer, version, batch);
  };
  auto timeout = std::chrono::milliseconds(std::max(request->timeout_ms, 0) + 5000);
  auto batches = std::make_shared<std::map<std::int32_t, produce_batch>>(std::move(by_server));
  auto* services = ctx.services;
  ctx.produce_order->push([=](std::function<void()> next) {
    auto done = [finish, next] {
      finish();
      next();
    };
    // The current view, not the one at decode time: while this request
    // waited its turn, a partition server may have come back on a new url.
    auto now = services->metadata.current();
    fan_out<produce_batch>(services->servers, *now, std::move(*batches), timeout, make_request, on_reply, done);
  });
}

}  // namespace sluice::gateway
