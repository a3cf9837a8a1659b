#include "common/protocol/api_keys.h"
#include "services/group-coordinator/api/api_context.h"

namespace sluice::group_coordinator {

bool serve(std::int16_t key, const api_context& ctx) {
  using protocol::api_key;
  switch (static_cast<api_key>(key)) {
    case api_key::join_group: serve_join_group(ctx); return true;
    case api_key::sync_group: serve_sync_group(ctx); return true;
    case api_key::heartbeat: serve_heartbeat(ctx); return true;
    case api_key::leave_group: serve_leave_group(ctx); return true;
    case api_key::offset_commit: serve_offset_commit(ctx); return true;
    case api_key::offset_fetch: serve_offset_fetch(ctx); return true;
    case api_key::describe_groups: serve_describe_groups(ctx); return true;
    case api_key::list_groups: serve_list_groups(ctx); return true;
    case api_key::delete_groups: serve_delete_groups(ctx); return true;
    case api_key::offset_delete: serve_offset_delete(ctx); return true;
    case api_key::consumer_group_heartbeat: serve_consumer_group_heartbeat(ctx); return true;
    case api_key::consumer_group_describe: serve_consumer_group_describe(ctx); return true;
    default: return false;
  }
}

}  // namespace sluice::group_coordinator
