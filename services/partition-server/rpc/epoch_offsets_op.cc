#include "services/partition-server/rpc/epoch_offsets_op.h"

#include <caf/send.hpp>

#include "common/messaging/methods.h"
#include "services/partition-server/actors/type_ids.h"
#include "services/partition-server/partition_state.h"

namespace sluice::partition_server {

void epoch_offsets_op::start(const messaging::message& request, messaging::responder reply_to, const routes& table) {
  auto op = std::make_shared<epoch_offsets_op>(std::move(reply_to));
  if (!request.parse_header(op->header_)) {
    op->reply_to_.fail(messaging::rpc_status::bad_request);
    return;
  }
  auto route = route_all(table, op->header_.partitions());
  for (int i = 0; i < op->header_.partitions_size(); ++i) {
    const auto& q = op->header_.partitions(i);
    auto* r = op->response_.add_partitions();
    r->set_topic(q.topic());
    r->set_partition(q.partition());
    r->set_leader_epoch(-1);
    r->set_end_offset(-1);
    r->set_error(route.errors[static_cast<std::size_t>(i)]);
  }
  // +1 held by this function, so the reply cannot go out while sending.
  op->pending_.store(route.routed + 1, std::memory_order_relaxed);
  for (std::size_t i = 0; i < route.actors.size(); ++i) {
    if (route.actors[i]) caf::anon_send(route.actors[i], epoch_atom::value, op, static_cast<std::uint32_t>(i));
  }
  op->complete_one();
}

void epoch_offsets_op::answer_at(std::uint32_t index, const partition_state& p) {
  const auto& q = header_.partitions(static_cast<int>(index));
  *response_.mutable_partitions(static_cast<int>(index)) = p.end_offset_for_epoch(q.leader_epoch(), q.current_leader_epoch());
  complete_one();
}

void epoch_offsets_op::complete_one() {
  if (pending_.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
  reply_to_.reply(messaging::message::make(messaging::method::offset_for_leader_epoch, response_));
}

}  // namespace sluice::partition_server
