#include "services/coordinator/partition_record.h"

namespace sluice::coordinator {
namespace {

void add_all(google::protobuf::RepeatedField<std::int32_t>* out, const std::vector<node_id>& ids) {
  out->Reserve(static_cast<int>(ids.size()));
  for (auto id : ids) out->Add(id());
}

}  // namespace

partition_record partition_record::from_proto(const mv1::PartitionInfo& p) {
  partition_record r;
  r.partition = p.partition();
  r.replicas = to_node_ids(p.replicas());
  r.isr = to_node_ids(p.isr());
  r.adding_replicas = to_node_ids(p.adding_replicas());
  r.removing_replicas = to_node_ids(p.removing_replicas());
  r.leader = node_id{p.leader()};
  r.leader_epoch = sluice::leader_epoch{p.leader_epoch()};
  r.partition_epoch = sluice::partition_epoch{p.partition_epoch()};
  return r;
}

mv1::PartitionInfo partition_record::to_proto() const {
  mv1::PartitionInfo p;
  p.set_partition(partition);
  add_all(p.mutable_replicas(), replicas);
  p.set_leader(leader());
  p.set_leader_epoch(leader_epoch());
  add_all(p.mutable_isr(), isr);
  p.set_partition_epoch(partition_epoch());
  add_all(p.mutable_adding_replicas(), adding_replicas);
  add_all(p.mutable_removing_replicas(), removing_replicas);
  return p;
}

}  // namespace sluice::coordinator
