#include "services/partition-server/actors/partition_actor.h"

#include <chrono>

#include <caf/all.hpp>

#include "services/partition-server/fetch_waiter.h"
#include "services/partition-server/logger.h"
#include "services/partition-server/rpc/fetch_op.h"
#include "services/partition-server/rpc/list_offsets_op.h"
#include "services/partition-server/rpc/produce_op.h"

namespace sluice::partition_server {

namespace {
std::int64_t wall_clock_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}
}  // namespace

caf::behavior partition_actor(caf::event_based_actor* self, std::shared_ptr<partition_state> state,
                              std::chrono::milliseconds retention_check) {
  // Runs however the actor ends (stop, shutdown, a bug): data is flushed and
  // files closed; after a stop with remove it is already gone.
  self->attach_functor([state] { state->close(); });
  self->delayed_send(self, retention_check, retention_atom::value);
  return {
      [state](append_atom, const produce_op_ptr& op, std::uint32_t index) {
        op->append_at(index, *state, wall_clock_ms());
      },
      [state](fetch_atom, const fetch_op_ptr& op) { op->read_current(*state); },
      [state](watch_atom, const fetch_waiter_ptr& waiter, std::int64_t end_seen) {
        state->watch(waiter, end_seen);
      },
      [state](offsets_atom, const list_offsets_op_ptr& op, std::uint32_t index) { op->answer_at(index, *state); },
      [state](leader_atom, bool leader, std::int32_t epoch) {
        if (leader != state->is_leader() || epoch != state->leader_epoch())
          log()->info("[{}/{}] {} at leader epoch {}", state->topic(), state->partition(),
                      leader ? "leader" : "not leader", epoch);
        state->set_leadership(leader, epoch);
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
