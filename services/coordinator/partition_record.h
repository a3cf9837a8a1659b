#pragma once
// One partition's replication state as the coordinator reasons about it:
// replicas, ISR, leader and the two epochs that version them, in the typed
// ids of common/base/types.h. metadata.v1.PartitionInfo is the same record on
// the wire and on disk; from_proto / to_proto are the only conversions.
#include <algorithm>
#include <cstdint>
#include <iterator>
#include <vector>

#include "common/base/types.h"
#include "common/proto/metadata.pb.h"

namespace sluice::coordinator {

namespace mv1 = sluice::metadata::v1;

inline bool contains(const std::vector<node_id>& ids, node_id n) {
  return std::find(ids.begin(), ids.end(), n) != ids.end();
}

/// A value, copied and compared. A new partition is built directly (every
/// replica in sync, replicas[0] leading, epochs 0); after that it changes
/// only through partition_change_builder, which keeps its invariants.
struct partition_record {
  std::int32_t partition = 0;
  std::vector<node_id> replicas;  // preferred leader first
  std::vector<node_id> isr;
  // A reassignment in progress: replicas holds the union of the old and the
  // new set while it runs.
  std::vector<node_id> adding_replicas;
  std::vector<node_id> removing_replicas;
  node_id leader = no_node;
  sluice::leader_epoch leader_epoch{0};
  sluice::partition_epoch partition_epoch{0};

  bool operator==(const partition_record&) const = default;

  bool in_isr(node_id n) const { return contains(isr, n); }
  bool is_replica(node_id n) const { return contains(replicas, n); }
  bool reassigning() const { return !adding_replicas.empty() || !removing_replicas.empty(); }
  /// replicas[0], or no_node for a partition without replicas.
  node_id preferred_leader() const { return replicas.empty() ? no_node : replicas.front(); }

  static partition_record from_proto(const mv1::PartitionInfo& p);
  mv1::PartitionInfo to_proto() const;
};

/// Raw ids (a protobuf repeated field, a vector), typed.
template <class Ids>
std::vector<node_id> to_node_ids(const Ids& ids) {
  std::vector<node_id> out;
  out.reserve(static_cast<std::size_t>(std::size(ids)));
  for (std::int32_t id : ids) out.emplace_back(id);
  return out;
}

}  // namespace sluice::coordinator
