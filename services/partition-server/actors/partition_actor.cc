#include "services/partition-server/actors/partition_actor.h"

#include <algorithm>
#include <chrono>

#include <caf/all.hpp>

#include "common/protocol/error_code.h"
#include "services/partition-server/fetch_waiter.h"
#include "services/partition-server/logger.h"
#include "services/partition-server/rpc/delete_records_op.h"
#include "services/partition-server/rpc/describe_log_dirs_op.h"
#include "services/partition-server/rpc/describe_producers_op.h"
#include "services/partition-server/rpc/epoch_offsets_op.h"
#include "services/partition-server/rpc/fetch_op.h"
#include "services/partition-server/rpc/list_offsets_op.h"
#include "services/partition-server/rpc/produce_op.h"
#include "services/partition-server/rpc/write_txn_markers_op.h"
#include "services/partition-server/verification_queue.h"
#include "services/partition-server/wall_clock.h"

namespace sluice::partition_server {

namespace {

/// What the actor keeps beside the state: its timers, ISR plumbing and
/// the appends waiting for the transaction coordinator.
struct actor_extras {
  caf::actor isr_sender;
  txn_verifier_ptr verifier;
  verification_queue verifications;
  node_id self_node = no_node;
  bool commit_tick_armed = false;
  bool isr_tick_armed = false;
};

void propose_isr(caf::event_based_actor* self, partition_state& state, const actor_extras& x) {
  if (!x.isr_sender) return;
  if (auto change = state.isr_proposal(wall_clock_ms()))
    self->send(x.isr_sender, isr_atom::value, std::move(*change), caf::actor_cast<caf::actor>(self));
}

void arm_isr_tick(caf::event_based_actor* self, partition_state& state, actor_extras& x) {
  if (x.isr_tick_armed || !state.is_leader()) return;
  x.isr_tick_armed = true;
  const auto every = std::chrono::milliseconds(std::max<std::int64_t>(state.replication().lag_max_ms / 2, 50));
  self->delayed_send(self, every, isr_tick_atom::value);
}

// An acks=all entry waits: make sure its deadline is looked at.
void arm_commit_tick(caf::event_based_actor* self, actor_extras& x, std::int32_t timeout_ms) {
  if (x.commit_tick_armed) return;
  x.commit_tick_armed = true;
  self->delayed_send(self, std::chrono::milliseconds(std::max(timeout_ms, 0)), commit_tick_atom::value);
}

follower_position apply_fetch(partition_state& state, const fetched_partition& f) {
  if (state.is_leader() || state.leader_epoch() != f.fetched_at_epoch) return state.position();  // stale
  const auto& r = f.result;
  if (r.diverging_epoch() >= 0) {
    state.truncate_diverging(leader_epoch{r.diverging_epoch()}, offset{r.diverging_end_offset()});
  } else if (r.error() == partition::v1::OFFSET_OUT_OF_RANGE) {
    state.reset_to_leader_range(offset{r.log_start_offset()}, offset{r.log_end_offset()});
  } else if (r.error() == partition::v1::PARTITION_OK) {
    auto bytes = f.reply->payload().subspan(f.payload_offset, r.records_size());
    state.apply_fetched(bytes, offset{r.high_watermark()}, offset{r.log_start_offset()}, wall_clock_ms());
  }
  return state.position();
}

// One produce entry's turn: verified first when it needs it, else appended.
void start_append(caf::event_based_actor* self, partition_state& state, actor_extras& x, const produce_op_ptr& op,
                  std::uint32_t index) {
  const std::int64_t now = wall_clock_ms();
  auto v = op->verify_at(index, state, now);
  if (v.answered) return;
  if (!v.ask) {
    if (op->append_at(index, state, now)) arm_commit_tick(self, x, op->timeout_ms());
    return;
  }
  if (!x.verifier) {
    op->append_verified_at(index, state, now, v.guard,
                           static_cast<std::int16_t>(protocol::error_code::coordinator_not_available));
    return;
  }
  x.verifications.verification_started(op->producer_at(index));
  const std::pair<std::string, std::int32_t> key{state.topic(), state.partition()};
  x.verifier->check(std::move(*v.ask), [actor = caf::actor_cast<caf::actor>(self), op, index, guard = v.guard,
                                         key](cluster::txn_check_result r) {
    auto it = r.find(key);
    // A partition missing from the answer was not verified.
    const std::int16_t code =
        it != r.end() ? it->second : static_cast<std::int16_t>(protocol::error_code::unknown_server_error);
    caf::anon_send(actor, verified_atom::value, op, index, std::uint64_t{guard}, code);
  });
}

}  // namespace

caf::behavior partition_actor(caf::event_based_actor* self, std::shared_ptr<partition_state> state,
                              std::chrono::milliseconds retention_check, caf::actor isr_sender,
                              txn_verifier_ptr verifier) {
  // Runs however the actor ends (stop, shutdown, a bug): data is flushed and
  // files closed; after a stop with remove it is already gone.
  self->attach_functor([state] { state->close(); });
  self->delayed_send(self, retention_check, retention_atom::value);
  auto x = std::make_shared<actor_extras>();
  x->isr_sender = std::move(isr_sender);
  x->verifier = std::move(verifier);
  return {
      [self, state, x](append_atom, const produce_op_ptr& op, std::uint32_t index) {
        x->verifications.run_or_queue(op->producer_at(index),
                                      [self, state, x, op, index] { start_append(self, *state, *x, op, index); });
      },
      [self, state, x](verified_atom, const produce_op_ptr& op, std::uint32_t index, std::uint64_t guard,
                       std::int16_t code) {
        if (op->append_verified_at(index, *state, wall_clock_ms(), guard, code))
          arm_commit_tick(self, *x, op->timeout_ms());
        x->verifications.verification_done(op->producer_at(index));
      },
      [self, state, x](marker_atom, const write_txn_markers_op_ptr& op, std::uint32_t marker, std::uint32_t partition) {
        if (op->write_at(marker, partition, *state, wall_clock_ms())) arm_commit_tick(self, *x, op->timeout_ms());
      },
      [self, state, x](commit_tick_atom) {
        x->commit_tick_armed = false;
        const std::int64_t now = wall_clock_ms();
        const std::int64_t next = state->expire_commits(now);
        if (next >= 0) {
          x->commit_tick_armed = true;
          self->delayed_send(self, std::chrono::milliseconds(std::max<std::int64_t>(next - now, 1)),
                             commit_tick_atom::value);
        }
      },
      [self, state, x](fetch_atom, const fetch_op_ptr& op) {
        op->read_current(*state);
        if (state->is_leader()) propose_isr(self, *state, *x);
      },
      [state](watch_atom, const fetch_waiter_ptr& waiter, offset end_seen, bool replica, bool read_committed) {
        state->watch(waiter, end_seen, replica, read_committed);
      },
      [state](offsets_atom, const list_offsets_op_ptr& op, std::uint32_t index) { op->answer_at(index, *state); },
      [state](epoch_atom, const epoch_offsets_op_ptr& op, std::uint32_t index) { op->answer_at(index, *state); },
      [state](producers_atom, const describe_producers_op_ptr& op, std::uint32_t index) {
        op->answer_at(index, *state);
      },
      [state](log_dir_atom, const describe_log_dirs_op_ptr& op, std::uint32_t index) {
        op->answer_at(index, *state);
      },
      [self, state, x](delete_records_atom, const delete_records_op_ptr& op, std::uint32_t index) {
        if (op->answer_at(index, *state, wall_clock_ms())) arm_commit_tick(self, *x, op->timeout_ms());
      },
      [self, state, x](info_atom, const metadata::v1::PartitionInfo& info, node_id self_node) {
        const bool was_leader = state->is_leader();
        const leader_epoch old_epoch = state->leader_epoch();
        x->self_node = self_node;
        state->set_partition_info(info, self_node, wall_clock_ms());
        if (was_leader != state->is_leader() || old_epoch != state->leader_epoch())
          log()->info("[{}/{}] {} at leader epoch {} (replicas {}, isr {})", state->topic(), state->partition(),
                      state->is_leader() ? "leader" : "follower of " + std::to_string(info.leader()),
                      state->leader_epoch(), fmt::join(info.replicas(), ","), fmt::join(info.isr(), ","));
        arm_isr_tick(self, *state, *x);
      },
      [state](replicate_atom, const fetched_partition_ptr& f) { return apply_fetch(*state, *f); },
      [state](position_atom) { return state->position(); },
      [self, state, x](isr_result_atom, const coordinator::v1::PartitionIsrResult& r) {
        state->on_isr_result(r, x->self_node, wall_clock_ms());
      },
      [self, state, x](isr_tick_atom) {
        x->isr_tick_armed = false;
        if (!state->is_leader()) return;
        propose_isr(self, *state, *x);
        arm_isr_tick(self, *state, *x);
      },
      [state](config_atom, const config::log_config& cfg) { state->update_config(cfg); },
      [self, state, retention_check](retention_atom) {
        state->apply_retention(wall_clock_ms());
        self->delayed_send(self, retention_check, retention_atom::value);
      },
      [self, state](stop_atom, bool remove) {
        if (remove)
          state->close_and_remove();
        else
          state->close();
        self->quit();
        return true;
      },
  };
}

caf::behavior fetch_timer(caf::event_based_actor*) {
  return {
      [](timeout_atom, const fetch_waiter_ptr& waiter) { waiter->wake(); },
  };
}

}  // namespace sluice::partition_server
