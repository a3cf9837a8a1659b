#include "services/partition-server/rpc/produce_op.h"

#include <caf/send.hpp>

#include "common/messaging/methods.h"
#include "common/protocol/record_batch_view.h"
#include "services/partition-server/actors/type_ids.h"
#include "services/partition-server/errors.h"
#include "services/partition-server/partition_state.h"

namespace sluice::partition_server {

namespace pv1 = sluice::partition::v1;

produce_op::produce_op(messaging::message request, messaging::responder reply_to)
    : request_(std::move(request)), reply_to_(std::move(reply_to)) {}

void produce_op::start(messaging::message request, messaging::responder reply_to, const routes& table) {
  auto op = std::make_shared<produce_op>(std::move(request), std::move(reply_to));
  if (!op->request_.parse_header(op->header_)) {
    op->reply_to_.fail(messaging::rpc_status::bad_request);
    return;
  }
  auto payload = op->request_.mutable_payload();
  const int n = op->header_.partitions_size();
  std::size_t at = 0;
  op->slices_.reserve(static_cast<std::size_t>(n));
  for (const auto& p : op->header_.partitions()) {
    if (p.records_size() > payload.size() - at) {
      op->reply_to_.fail(messaging::rpc_status::bad_request);
      return;
    }
    op->slices_.push_back(payload.subspan(at, p.records_size()));
    at += p.records_size();
  }
  if (at != payload.size()) {
    op->reply_to_.fail(messaging::rpc_status::bad_request);
    return;
  }

  // Resolve every partition first: entries answered here are final before
  // any actor can complete the op.
  const auto epoch =
      op->header_.has_group_shard_epoch() ? shard_epoch{op->header_.group_shard_epoch()} : no_shard_epoch;
  auto route = route_all(table, op->header_.partitions(), epoch, true);
  for (int i = 0; i < n; ++i) {
    const auto& p = op->header_.partitions(i);
    auto* r = op->response_.add_partitions();
    r->set_topic(p.topic());
    r->set_partition(p.partition());
    r->set_base_offset(-1);
    r->set_log_append_time_ms(-1);
    r->set_log_start_offset(-1);
    r->set_error(route.errors[static_cast<std::size_t>(i)]);
  }
  // +1 held by this function, so the reply cannot go out while sending.
  op->pending_.store(route.routed + 1, std::memory_order_relaxed);
  for (std::size_t i = 0; i < route.actors.size(); ++i) {
    if (route.actors[i]) caf::anon_send(route.actors[i], append_atom::value, op, static_cast<std::uint32_t>(i));
  }
  op->complete_one();
}

std::int64_t produce_op::producer_at(std::uint32_t index) const {
  protocol::batch_iterator it(slices_[index]);
  while (auto b = it.next()) {
    const std::int64_t id = protocol::batch_header(*b).producer_id();
    if (id >= 0) return id;
  }
  return -1;
}

entry_verification produce_op::verify_at(std::uint32_t index, partition_state& p, std::int64_t now_ms) {
  entry_verification out;
  // Group coordinators verify their own writes; without a transactional id
  // there is nobody to ask (Kafka skips verification then, and the log
  // refuses a batch that would open a transaction unverified).
  if (header_.has_group_shard_epoch() || header_.transactional_id().empty()) return out;
  const bool add = header_.txn_check() == pv1::TXN_CHECK_ADD;
  auto start = p.begin_verification(slices_[index], now_ms, add);
  if (!start.verdict) {
    refuse_at(index, map_append_error(start.verdict.error), std::move(start.verdict.message), p);
    out.answered = true;
    return out;
  }
  if (!start.pending) return out;
  out.guard = start.pending->guard;
  out.ask = cluster::txn_check_request{.transactional_id = header_.transactional_id(),
                                       .producer_id = start.producer_id,
                                       .producer_epoch = start.pending->epoch,
                                       .add = add,
                                       .partitions = {{p.topic(), p.partition()}}};
  return out;
}

bool produce_op::append_verified_at(std::uint32_t index, partition_state& p, std::int64_t now_ms,
                                    storage::verification_guard guard, std::int16_t code) {
  if (code == 0) return append_at(index, p, now_ms, guard);
  auto refusal = map_verification_error(code, header_.txn_check());
  refuse_at(index, refusal.error, std::move(refusal.message), p);
  return false;
}

void produce_op::refuse_at(std::uint32_t index, pv1::PartitionError error, std::string message,
                           const partition_state& p) {
  auto* r = response_.mutable_partitions(static_cast<int>(index));
  r->set_error(error);
  r->set_error_message(std::move(message));
  r->set_log_start_offset(p.log_start_offset()());
  complete_one();
}

bool produce_op::append_at(std::uint32_t index, partition_state& p, std::int64_t now_ms,
                           storage::verification_guard guard) {
  // Only group coordinators name a shard epoch: theirs are coordinator writes.
  const auto origin =
      header_.has_group_shard_epoch() ? storage::append_origin::coordinator : storage::append_origin::client;
  auto outcome = p.append(slices_[index], now_ms, header_.acks(), origin, guard);
  auto* r = response_.mutable_partitions(static_cast<int>(index));
  r->set_error(outcome.error);
  if (!outcome.message.empty()) r->set_error_message(std::move(outcome.message));
  r->set_base_offset(outcome.base_offset());
  r->set_log_append_time_ms(outcome.log_append_time_ms);
  r->set_log_start_offset(outcome.log_start_offset());
  if (outcome.error != pv1::PARTITION_OK || header_.acks() != -1) {
    complete_one();
    return false;
  }
  const std::int64_t deadline = now_ms + std::max(header_.timeout_ms(), 0);
  p.await_commit(outcome.last_offset + 1, deadline,
                 [self = shared_from_this(), index](pv1::PartitionError e) {
                   if (e != pv1::PARTITION_OK) {
                     auto* entry = self->response_.mutable_partitions(static_cast<int>(index));
                     entry->set_error(e);
                     // Kafka keeps the offsets only on success.
                     if (e != pv1::NOT_ENOUGH_REPLICAS_AFTER_APPEND) entry->set_base_offset(-1);
                   }
                   self->complete_one();
                 });
  return true;
}

void produce_op::complete_one() {
  if (pending_.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
  reply_to_.reply(messaging::message::make(messaging::method::produce, response_));
  request_ = messaging::message{};  // free the request bytes now, not when the last reference goes
}

}  // namespace sluice::partition_server
