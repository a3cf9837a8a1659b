#include "services/partition-server/rpc/write_txn_markers_op.h"

#include <algorithm>

#include <caf/send.hpp>

#include "common/messaging/methods.h"
#include "services/partition-server/actors/type_ids.h"
#include "services/partition-server/partition_state.h"

namespace sluice::partition_server {

namespace pv1 = sluice::partition::v1;

write_txn_markers_op::write_txn_markers_op(messaging::responder reply_to) : reply_to_(std::move(reply_to)) {}

void write_txn_markers_op::start(const messaging::message& request, messaging::responder reply_to,
                                 const routes& table) {
  auto op = std::make_shared<write_txn_markers_op>(std::move(reply_to));
  if (!request.parse_header(op->header_)) {
    op->reply_to_.fail(messaging::rpc_status::bad_request);
    return;
  }
  const auto epoch =
      op->header_.has_group_shard_epoch() ? shard_epoch{op->header_.group_shard_epoch()} : no_shard_epoch;
  // Resolve every entry first: entries answered here are final before any
  // actor can complete the op.
  struct send {
    caf::actor actor;
    std::uint32_t marker;
    std::uint32_t partition;
  };
  std::vector<send> sends;
  for (int m = 0; m < op->header_.markers_size(); ++m) {
    const auto& marker = op->header_.markers(m);
    auto* result = op->response_.add_markers();
    result->set_producer_id(marker.producer_id());
    auto route = route_all(table, marker.partitions(), epoch, true);
    for (int i = 0; i < marker.partitions_size(); ++i) {
      auto* r = result->add_partitions();
      r->set_topic(marker.partitions(i).topic());
      r->set_partition(marker.partitions(i).partition());
      r->set_error(route.errors[static_cast<std::size_t>(i)]);
      if (auto& actor = route.actors[static_cast<std::size_t>(i)])
        sends.push_back({std::move(actor), static_cast<std::uint32_t>(m), static_cast<std::uint32_t>(i)});
    }
  }
  // +1 held by this function, so the reply cannot go out while sending.
  op->pending_.store(sends.size() + 1, std::memory_order_relaxed);
  for (auto& s : sends) caf::anon_send(s.actor, marker_atom::value, op, s.marker, s.partition);
  op->complete_one();
}

bool write_txn_markers_op::write_at(std::uint32_t marker, std::uint32_t partition, partition_state& p,
                                    std::int64_t now_ms) {
  const auto& m = header_.markers(static_cast<int>(marker));
  marker_request t;
  t.producer_id = m.producer_id();
  t.producer_epoch = static_cast<std::int16_t>(m.producer_epoch());
  t.commit = m.committed();
  t.coordinator_epoch = m.coordinator_epoch();
  auto outcome = p.write_txn_marker(t, now_ms);
  auto* r = response_.mutable_markers(static_cast<int>(marker))->mutable_partitions(static_cast<int>(partition));
  r->set_error(outcome.error);
  if (!outcome.message.empty()) r->set_error_message(std::move(outcome.message));
  if (outcome.error != pv1::PARTITION_OK) {
    complete_one();
    return false;
  }
  const std::int64_t deadline = now_ms + std::max(header_.timeout_ms(), 0);
  p.await_commit(outcome.last_offset + 1, deadline,
                 [self = shared_from_this(), marker, partition](pv1::PartitionError e) {
                   self->response_.mutable_markers(static_cast<int>(marker))
                       ->mutable_partitions(static_cast<int>(partition))
                       ->set_error(e);
                   self->complete_one();
                 });
  return true;
}

void write_txn_markers_op::complete_one() {
  if (pending_.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
  reply_to_.reply(messaging::message::make(messaging::method::write_txn_markers, response_));
}

}  // namespace sluice::partition_server
