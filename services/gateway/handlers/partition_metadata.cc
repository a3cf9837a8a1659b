#include "services/gateway/handlers/partition_metadata.h"

#include "common/cluster/group_shards.h"

namespace sluice::gateway {
namespace {

bool live_partition_server(const cluster::metadata_view& view, std::int32_t id) {
  const auto* s = view.service(id);
  return s != nullptr && s->kind() == cluster::mv1::PARTITION_SERVER;
}

template <class Ids>
std::vector<std::int32_t> live_only(const cluster::metadata_view& view, const Ids& ids) {
  std::vector<std::int32_t> out;
  for (auto id : ids)
    if (live_partition_server(view, id)) out.push_back(id);
  return out;
}

}  // namespace

bool is_internal_topic(std::string_view name) {
  return name == cluster::offsets_topic || name == cluster::transaction_state_topic;
}

partition_metadata describe_partition(const cluster::metadata_view& view, const cluster::mv1::PartitionInfo& p,
                                      dead_replicas dead) {
  using protocol::error_code;
  partition_metadata out;
  out.leader_epoch = p.leader_epoch();
  for (auto id : p.replicas())
    if (!live_partition_server(view, id)) out.offline.push_back(id);
  if (dead == dead_replicas::left_out) {
    out.replicas = live_only(view, p.replicas());
    out.isr = live_only(view, p.isr());
  } else {
    out.replicas.assign(p.replicas().begin(), p.replicas().end());
    out.isr.assign(p.isr().begin(), p.isr().end());
  }
  if (p.leader() < 0 || !live_partition_server(view, p.leader())) {
    out.error = error_code::leader_not_available;
    return out;
  }
  out.leader = p.leader();
  if (out.replicas.size() < static_cast<std::size_t>(p.replicas_size()) ||
      out.isr.size() < static_cast<std::size_t>(p.isr_size()))
    out.error = error_code::replica_not_available;
  return out;
}

}  // namespace sluice::gateway
