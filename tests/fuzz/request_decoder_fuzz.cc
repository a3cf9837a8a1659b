// libFuzzer target: a Kafka request frame (without its 4-byte length) as the
// gateway receives it. Decodes the header, then the body as the request of
// that api key and version, and also as the matching response (which Kafka
// clients and our test client decode).
//
// Besides "never crash", it checks a property: whatever decodes must
// re-encode canonically, i.e. decode(encode(m)) encodes to the same bytes and
// consumes all of them. A difference aborts, which libFuzzer reports.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "common/protocol/header.h"
#include "common/protocol/messages/add_offsets_to_txn.h"
#include "common/protocol/messages/add_partitions_to_txn.h"
#include "common/protocol/messages/alter_configs.h"
#include "common/protocol/messages/alter_partition_reassignments.h"
#include "common/protocol/messages/api_versions.h"
#include "common/protocol/messages/consumer_group_describe.h"
#include "common/protocol/messages/consumer_group_heartbeat.h"
#include "common/protocol/messages/create_partitions.h"
#include "common/protocol/messages/create_topics.h"
#include "common/protocol/messages/delete_groups.h"
#include "common/protocol/messages/delete_topics.h"
#include "common/protocol/messages/describe_cluster.h"
#include "common/protocol/messages/describe_topic_partitions.h"
#include "common/protocol/messages/describe_configs.h"
#include "common/protocol/messages/describe_groups.h"
#include "common/protocol/messages/describe_producers.h"
#include "common/protocol/messages/describe_transactions.h"
#include "common/protocol/messages/elect_leaders.h"
#include "common/protocol/messages/end_txn.h"
#include "common/protocol/messages/fetch.h"
#include "common/protocol/messages/find_coordinator.h"
#include "common/protocol/messages/heartbeat.h"
#include "common/protocol/messages/incremental_alter_configs.h"
#include "common/protocol/messages/init_producer_id.h"
#include "common/protocol/messages/join_group.h"
#include "common/protocol/messages/leave_group.h"
#include "common/protocol/messages/list_groups.h"
#include "common/protocol/messages/list_offsets.h"
#include "common/protocol/messages/list_partition_reassignments.h"
#include "common/protocol/messages/list_transactions.h"
#include "common/protocol/messages/metadata.h"
#include "common/protocol/messages/offset_commit.h"
#include "common/protocol/messages/offset_delete.h"
#include "common/protocol/messages/offset_fetch.h"
#include "common/protocol/messages/offset_for_leader_epoch.h"
#include "common/protocol/messages/produce.h"
#include "common/protocol/messages/sync_group.h"
#include "common/protocol/messages/txn_offset_commit.h"
#include "tests/unit/protocol/codec/reencode.h"

namespace {

using namespace sluice::protocol;

using testgen::reencode;

template <class M>
void check(std::span<const std::byte> body, std::int16_t version) {
    std::vector<std::byte> first;
    try {
        std::size_t consumed = 0;
        first = reencode<M>(body, version, consumed);
    } catch (const decode_error&) {
        return;  // malformed input: rejected, as it should be
    }
    std::size_t consumed = 0;
    const auto second = reencode<M>(first, version, consumed);  // must not throw
    if (consumed != first.size() || second != first) std::abort();
}

template <class Request, class Response>
bool dispatch(std::int16_t key, std::int16_t version, std::span<const std::byte> body) {
    if (key != static_cast<std::int16_t>(Request::key)) return false;
    if (version < Request::min_version || version > Request::max_version) return true;
    check<Request>(body, version);
    check<Response>(body, version);
    return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::span<const std::byte> frame(reinterpret_cast<const std::byte*>(data), size);
    reader r(frame);
    request_header header;
    try {
        header.decode(r);
    } catch (const decode_error&) {
        return 0;
    }
    const auto body = frame.subspan(r.position());
    const std::int16_t k = header.api_key;
    const std::int16_t v = header.api_version;
    (void)(dispatch<api_versions_request, api_versions_response>(k, v, body) ||
           dispatch<metadata_request, metadata_response>(k, v, body) ||
           dispatch<produce_request, produce_response>(k, v, body) ||
           dispatch<fetch_request, fetch_response>(k, v, body) ||
           dispatch<list_offsets_request, list_offsets_response>(k, v, body) ||
           dispatch<create_topics_request, create_topics_response>(k, v, body) ||
           dispatch<delete_topics_request, delete_topics_response>(k, v, body) ||
           dispatch<create_partitions_request, create_partitions_response>(k, v, body) ||
           dispatch<describe_configs_request, describe_configs_response>(k, v, body) ||
           dispatch<alter_configs_request, alter_configs_response>(k, v, body) ||
           dispatch<incremental_alter_configs_request, incremental_alter_configs_response>(k, v, body) ||
           dispatch<describe_cluster_request, describe_cluster_response>(k, v, body) ||
           dispatch<describe_topic_partitions_request, describe_topic_partitions_response>(k, v, body) ||
           dispatch<find_coordinator_request, find_coordinator_response>(k, v, body) ||
           dispatch<join_group_request, join_group_response>(k, v, body) ||
           dispatch<sync_group_request, sync_group_response>(k, v, body) ||
           dispatch<heartbeat_request, heartbeat_response>(k, v, body) ||
           dispatch<leave_group_request, leave_group_response>(k, v, body) ||
           dispatch<offset_commit_request, offset_commit_response>(k, v, body) ||
           dispatch<offset_fetch_request, offset_fetch_response>(k, v, body) ||
           dispatch<describe_groups_request, describe_groups_response>(k, v, body) ||
           dispatch<list_groups_request, list_groups_response>(k, v, body) ||
           dispatch<delete_groups_request, delete_groups_response>(k, v, body) ||
           dispatch<offset_delete_request, offset_delete_response>(k, v, body) ||
           dispatch<consumer_group_heartbeat_request, consumer_group_heartbeat_response>(k, v, body) ||
           dispatch<consumer_group_describe_request, consumer_group_describe_response>(k, v, body) ||
           dispatch<offset_for_leader_epoch_request, offset_for_leader_epoch_response>(k, v, body) ||
           dispatch<elect_leaders_request, elect_leaders_response>(k, v, body) ||
           dispatch<alter_partition_reassignments_request, alter_partition_reassignments_response>(k, v, body) ||
           dispatch<list_partition_reassignments_request, list_partition_reassignments_response>(k, v, body) ||
           dispatch<init_producer_id_request, init_producer_id_response>(k, v, body) ||
           dispatch<add_partitions_to_txn_request, add_partitions_to_txn_response>(k, v, body) ||
           dispatch<add_offsets_to_txn_request, add_offsets_to_txn_response>(k, v, body) ||
           dispatch<end_txn_request, end_txn_response>(k, v, body) ||
           dispatch<txn_offset_commit_request, txn_offset_commit_response>(k, v, body) ||
           dispatch<describe_producers_request, describe_producers_response>(k, v, body) ||
           dispatch<describe_transactions_request, describe_transactions_response>(k, v, body) ||
           dispatch<list_transactions_request, list_transactions_response>(k, v, body));
    return 0;
}
