#pragma once
// Between a classic_group and its record in __consumer_offsets
// (records/offsets_records.h: GroupMetadataKey / GroupMetadataValue), the
// way Kafka's GroupMetadataManager writes and replays it:
//
// - classic_group_record(g): the group's metadata (protocol type,
//   generation, protocol, leader, each member with its subscription for the
//   chosen protocol and its assignment), written when an operation changed
//   it (classic_effects::metadata_changed).
// - restore_classic_group(g, value): the group rebuilt from the latest one.
//
// Only the stable parts are stored; a restored group with members is Stable
// and their sessions start anew.
#include <cstdint>

#include "services/group-coordinator/classic/classic_group.h"
#include "services/group-coordinator/record_log.h"
#include "services/group-coordinator/records/offsets_records.h"

namespace sluice::group_coordinator {

/// `wall_now_ms`: the state timestamp Kafka stamps the value with.
record_log::record classic_group_record(const classic_group& g, std::int64_t wall_now_ms);
void restore_classic_group(classic_group& g, group_value v, time_point now);

}  // namespace sluice::group_coordinator
