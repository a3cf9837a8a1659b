#include <map>

#include "common/protocol/api_keys.h"
#include "services/group-coordinator/api/api_context.h"

namespace sluice::group_coordinator {

bool serve(std::int16_t key, const api_context& ctx) {
  using protocol::api_key;
  // A table rather than a switch: the key comes off the wire and may be
  // any number, and every other API is not ours.
  static const std::map<api_key, void (*)(const api_context&)> handlers{
      {api_key::join_group, serve_join_group},
      {api_key::sync_group, serve_sync_group},
      {api_key::heartbeat, serve_heartbeat},
      {api_key::leave_group, serve_leave_group},
      {api_key::offset_commit, serve_offset_commit},
      {api_key::offset_fetch, serve_offset_fetch},
      {api_key::describe_groups, serve_describe_groups},
      {api_key::list_groups, serve_list_groups},
      {api_key::delete_groups, serve_delete_groups},
      {api_key::offset_delete, serve_offset_delete},
      {api_key::consumer_group_heartbeat, serve_consumer_group_heartbeat},
      {api_key::consumer_group_describe, serve_consumer_group_describe},
      {api_key::init_producer_id, serve_init_producer_id},
      {api_key::add_partitions_to_txn, serve_add_partitions_to_txn},
      {api_key::add_offsets_to_txn, serve_add_offsets_to_txn},
      {api_key::end_txn, serve_end_txn},
      {api_key::describe_transactions, serve_describe_transactions},
      {api_key::list_transactions, serve_list_transactions},
  };
  auto it = handlers.find(static_cast<api_key>(key));
  if (it == handlers.end()) return false;
  it->second(ctx);
  return true;
}

}  // namespace sluice::group_coordinator
