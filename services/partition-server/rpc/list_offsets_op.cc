#include "services/partition-server/rpc/list_offsets_op.h"

#include <vector>

#include <caf/send.hpp>

#include "common/messaging/methods.h"
#include "services/partition-server/actors/type_ids.h"
#include "services/partition-server/partition_state.h"

namespace sluice::partition_server {

void list_offsets_op::start(const messaging::message& request, messaging::responder reply_to, const routes& table) {
  auto op = std::make_shared<list_offsets_op>(std::move(reply_to));
  if (!request.parse_header(op->header_)) {
    op->reply_to_.fail(messaging::rpc_status::bad_request);
    return;
  }
  const int n = op->header_.partitions_size();
  std::vector<caf::actor> targets(static_cast<std::size_t>(n));
  std::size_t routed = 0;
  for (int i = 0; i < n; ++i) {
    const auto& q = op->header_.partitions(i);
    auto* r = op->response_.add_partitions();
    r->set_topic(q.topic());
    r->set_partition(q.partition());
    r->set_timestamp(-1);
    r->set_offset(-1);
    r->set_leader_epoch(-1);
    auto t = table.find(q.topic(), q.partition());
    if (t.actor) {
      targets[static_cast<std::size_t>(i)] = std::move(t.actor);
      ++routed;
    } else {
      r->set_error(t.error);
    }
  }
  op->pending_.store(routed + 1, std::memory_order_relaxed);
  for (int i = 0; i < n; ++i) {
    if (auto& a = targets[static_cast<std::size_t>(i)])
      caf::anon_send(a, offsets_atom::value, op, static_cast<std::uint32_t>(i));
  }
  op->complete_one();
}

void list_offsets_op::answer_at(std::uint32_t index, partition_state& p) {
  const auto& q = header_.partitions(static_cast<int>(index));
  auto outcome = p.list_offset(q.timestamp(), q.current_leader_epoch());
  auto* r = response_.mutable_partitions(static_cast<int>(index));
  r->set_error(outcome.error);
  r->set_timestamp(outcome.timestamp);
  r->set_offset(outcome.offset);
  r->set_leader_epoch(outcome.leader_epoch);
  complete_one();
}

void list_offsets_op::complete_one() {
  if (pending_.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
  reply_to_.reply(messaging::message::make(messaging::method::list_offsets, response_));
}

}  // namespace sluice::partition_server
