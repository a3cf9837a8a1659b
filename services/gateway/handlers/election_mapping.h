#pragma once
// ElectLeaders between Kafka's wire form and the coordinator's RPC. Pure
// functions, so the rules below are unit-tested without a cluster:
// - null topic_partitions means every partition, and then Kafka leaves out
//   the partitions whose preferred leader already leads (ELECTION_NOT_NEEDED);
// - an empty list means none: answered here, the coordinator never asked
//   (its own "empty = all" would otherwise elect everything);
// - election type 0 is preferred, 1 unclean; v0 carries no type (preferred).
#include <optional>

#include "common/base/result.h"
#include "common/protocol/error_code.h"
#include "common/protocol/messages/elect_leaders.h"
#include "coordinator.pb.h"

namespace sluice::gateway {

/// The coordinator request for `request`, or nullopt when there is nothing to
/// ask (an empty list) or the request is refused (see election_refusal).
std::optional<coordinator::v1::ElectLeadersRequest> election_request(const protocol::elect_leaders_request& request);

/// INVALID_REQUEST for an election type Kafka does not define, else none.
protocol::error_code election_refusal(const protocol::elect_leaders_request& request);

/// The Kafka answer: the coordinator's per-partition results (or, when the
/// call failed or was refused, `whole` for every named partition and at the
/// top level).
protocol::elect_leaders_response election_answer(const protocol::elect_leaders_request& request,
                                                 const result<coordinator::v1::ElectLeadersResponse>& reply);
protocol::elect_leaders_response election_answer(const protocol::elect_leaders_request& request,
                                                 protocol::error_code whole, const std::string& message);

}  // namespace sluice::gateway
