#include "services/partition-server/actors/isr_sender.h"

#include <chrono>
#include <vector>

#include <caf/all.hpp>

#include "services/partition-server/logger.h"

namespace sluice::partition_server {

namespace {

namespace cv1 = sluice::coordinator::v1;

struct proposal {
  cv1::PartitionIsrChange change;
  caf::actor from;
};

/// One AlterPartition call's outcome with the proposals it carried.
struct isr_batch_result {
  std::vector<proposal> sent;
  result<cv1::AlterPartitionResponse> response;
};

constexpr auto batch_window = std::chrono::milliseconds(5);

}  // namespace
}  // namespace sluice::partition_server

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::shared_ptr<sluice::partition_server::isr_batch_result>)

namespace sluice::partition_server {

caf::behavior isr_sender(caf::event_based_actor* self, std::shared_ptr<cluster::coordinator_client> coordinator,
                         std::function<sender_identity()> identity) {
  struct state {
    std::vector<proposal> queued;
    bool flush_armed = false;
  };
  auto st = std::make_shared<state>();
  return {
      [self, st](isr_atom, const cv1::PartitionIsrChange& change, const caf::actor& from) {
        st->queued.push_back({change, from});
        if (!st->flush_armed) {
          st->flush_armed = true;
          self->delayed_send(self, batch_window, flush_atom::value);
        }
      },
      [self, st, coordinator, identity](flush_atom) {
        st->flush_armed = false;
        if (st->queued.empty()) return;
        auto sent = std::move(st->queued);
        st->queued.clear();
        const auto id = identity();
        cv1::AlterPartitionRequest req;
        req.set_node_id(id.node_id);
        req.set_registration_epoch(id.registration_epoch);
        req.set_controller_epoch(id.controller_epoch);
        for (const auto& p : sent) *req.add_changes() = p.change;
        caf::actor me = caf::actor_cast<caf::actor>(self);
        auto batch = std::make_shared<isr_batch_result>(isr_batch_result{std::move(sent), cv1::AlterPartitionResponse{}});
        coordinator->alter_partition(req, [me, batch](result<cv1::AlterPartitionResponse> r) {
          batch->response = std::move(r);
          caf::anon_send(me, isr_done_atom::value, batch);
        });
      },
      [self](isr_done_atom, const std::shared_ptr<isr_batch_result>& batch) {
        const cv1::AlterPartitionResponse* resp = batch->response ? &batch->response.value() : nullptr;
        if (!resp)
          log()->warn("AlterPartition failed: {}", batch->response.error().message());
        else if (resp->error() != cv1::COORDINATOR_OK)
          log()->warn("AlterPartition refused: {}", cv1::CoordinatorError_Name(resp->error()));
        for (const auto& p : batch->sent) {
          cv1::PartitionIsrResult out;
          out.set_topic(p.change.topic());
          out.set_partition(p.change.partition());
          out.set_error(resp ? resp->error() : cv1::STORAGE_FAILURE);
          if (resp && resp->error() == cv1::COORDINATOR_OK) {
            for (const auto& r : resp->results())
              if (r.topic() == p.change.topic() && r.partition() == p.change.partition()) out = r;
          }
          self->send(p.from, isr_result_atom::value, out);
        }
      },
  };
}

}  // namespace sluice::partition_server
