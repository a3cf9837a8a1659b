#pragma once
// Between a KIP-848 consumer_group and its records in __consumer_offsets
// (records/consumer_group_records.h), the way Kafka's GroupMetadataManager
// writes and replays them:
//
// - changes(before, after): the records that take a group written as
//   `before` to `after`. In Kafka's order: tombstones of members that left
//   (current assignment, target, metadata), metadata of new or changed
//   members, subscribed partition counts, group epoch, changed targets,
//   assignment epoch, changed current assignments. Nothing when only
//   in-memory state changed (session deadlines), so a plain heartbeat
//   writes nothing.
// - tombstones(g): every record of the group, nulled (DeleteGroups).
// - replay(g, key, value): one record into the group being rebuilt.
//
// Records name topics by id; the catalog translates. A topic the catalog
// no longer knows (deleted) drops out of the assignments written or
// restored.
#include <optional>
#include <string_view>
#include <vector>

#include "services/group-coordinator/consumer/consumer_group.h"
#include "services/group-coordinator/record_log.h"
#include "services/group-coordinator/records/consumer_group_records.h"

namespace sluice::group_coordinator {

std::vector<record_log::record> consumer_group_changes(const consumer_group& before, const consumer_group& after,
                                                       const topic_catalog& topics);
std::vector<record_log::record> consumer_group_tombstones(const consumer_group& g);
/// `key` is not monostate; the group epoch's tombstone (the group is gone)
/// is the caller's to handle.
void replay_consumer_record(consumer_group& g, const consumer_record_key& key, std::optional<std::string_view> value,
                            const topic_catalog& topics, time_point now);

}  // namespace sluice::group_coordinator
