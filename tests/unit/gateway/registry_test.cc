#define BOOST_TEST_MODULE gateway
#include <boost/test/unit_test.hpp>

#include <set>

#include "common/protocol/messages/add_offsets_to_txn.h"
#include "common/protocol/messages/add_partitions_to_txn.h"
#include "common/protocol/messages/alter_partition_reassignments.h"
#include "common/protocol/messages/describe_log_dirs.h"
#include "common/protocol/messages/describe_producers.h"
#include "common/protocol/messages/describe_transactions.h"
#include "common/protocol/messages/end_txn.h"
#include "common/protocol/messages/list_transactions.h"
#include "common/protocol/messages/txn_offset_commit.h"
#include "common/protocol/messages/api_versions.h"
#include "common/protocol/messages/elect_leaders.h"
#include "common/protocol/messages/fetch.h"
#include "common/protocol/messages/init_producer_id.h"
#include "common/protocol/messages/list_offsets.h"
#include "common/protocol/messages/list_partition_reassignments.h"
#include "common/protocol/messages/metadata.h"
#include "common/protocol/messages/produce.h"
#include "services/gateway/handlers/handler.h"

using namespace sluice;
using namespace sluice::gateway;

BOOST_AUTO_TEST_SUITE(registry)

BOOST_AUTO_TEST_CASE(handlers_are_sorted_unique_and_well_formed) {
  std::set<std::int16_t> keys;
  std::int16_t previous = -1;
  for (const auto& h : handlers()) {
    auto key = static_cast<std::int16_t>(h.key);
    BOOST_TEST(key > previous);
    previous = key;
    BOOST_TEST(keys.insert(key).second);
    BOOST_TEST(h.min_version <= h.min_served_version);
    BOOST_TEST(h.min_served_version <= h.max_version);
    BOOST_TEST(h.handle != nullptr);
    BOOST_TEST(find_handler(key) == &h);
  }
  BOOST_TEST(find_handler(999) == nullptr);
  BOOST_TEST(find_handler(-1) == nullptr);
}

// Every advertised version must be one the codec can decode and encode.
template <class Request, class Response>
void check_codec_covers(protocol::api_key key) {
  const auto* h = find_handler(static_cast<std::int16_t>(key));
  BOOST_REQUIRE(h != nullptr);
  BOOST_TEST(h->min_version >= Request::min_version);
  BOOST_TEST(h->max_version <= Request::max_version);
  BOOST_TEST(h->min_version >= Response::min_version);
  BOOST_TEST(h->max_version <= Response::max_version);
}

BOOST_AUTO_TEST_CASE(advertised_versions_are_within_the_codec) {
  check_codec_covers<protocol::produce_request, protocol::produce_response>(protocol::api_key::produce);
  check_codec_covers<protocol::fetch_request, protocol::fetch_response>(protocol::api_key::fetch);
  check_codec_covers<protocol::list_offsets_request, protocol::list_offsets_response>(protocol::api_key::list_offsets);
  check_codec_covers<protocol::metadata_request, protocol::metadata_response>(protocol::api_key::metadata);
  check_codec_covers<protocol::api_versions_request, protocol::api_versions_response>(protocol::api_key::api_versions);
  check_codec_covers<protocol::elect_leaders_request, protocol::elect_leaders_response>(protocol::api_key::elect_leaders);
  check_codec_covers<protocol::alter_partition_reassignments_request, protocol::alter_partition_reassignments_response>(
      protocol::api_key::alter_partition_reassignments);
  check_codec_covers<protocol::list_partition_reassignments_request, protocol::list_partition_reassignments_response>(
      protocol::api_key::list_partition_reassignments);
  check_codec_covers<protocol::init_producer_id_request, protocol::init_producer_id_response>(
      protocol::api_key::init_producer_id);
  check_codec_covers<protocol::add_partitions_to_txn_request, protocol::add_partitions_to_txn_response>(
      protocol::api_key::add_partitions_to_txn);
  check_codec_covers<protocol::add_offsets_to_txn_request, protocol::add_offsets_to_txn_response>(
      protocol::api_key::add_offsets_to_txn);
  check_codec_covers<protocol::end_txn_request, protocol::end_txn_response>(protocol::api_key::end_txn);
  check_codec_covers<protocol::txn_offset_commit_request, protocol::txn_offset_commit_response>(
      protocol::api_key::txn_offset_commit);
  check_codec_covers<protocol::describe_producers_request, protocol::describe_producers_response>(
      protocol::api_key::describe_producers);
  check_codec_covers<protocol::describe_transactions_request, protocol::describe_transactions_response>(
      protocol::api_key::describe_transactions);
  check_codec_covers<protocol::list_transactions_request, protocol::list_transactions_response>(
      protocol::api_key::list_transactions);
  check_codec_covers<protocol::describe_log_dirs_request, protocol::describe_log_dirs_response>(
      protocol::api_key::describe_log_dirs);
}

// Transaction version 2 (KIP-890 part 2): a Java 4.x producer that sees
// `transaction.version` finalized at 2 sends Produce v12, EndTxn v5 and
// TxnOffsetCommit v5, and needs each advertised; nothing newer (Produce v13
// names topics by id, InitProducerId v6 is KIP-939's two-phase commit).
BOOST_AUTO_TEST_CASE(transaction_version_2_apis_are_advertised) {
  auto max_of = [](protocol::api_key key) { return find_handler(static_cast<std::int16_t>(key))->max_version; };
  BOOST_TEST(max_of(protocol::api_key::produce) == 12);
  BOOST_TEST(max_of(protocol::api_key::end_txn) == 5);
  BOOST_TEST(max_of(protocol::api_key::txn_offset_commit) == 5);
  BOOST_TEST(max_of(protocol::api_key::add_partitions_to_txn) == 5);
  BOOST_TEST(max_of(protocol::api_key::init_producer_id) == 5);
}

// librdkafka enables a feature only when ApiVersions advertises every
// (api, version) it needs (rdkafka_feature.c); these must all pass.
BOOST_AUTO_TEST_CASE(librdkafka_feature_checks_pass) {
  auto advertises = [](protocol::api_key key, std::int16_t version) {
    const auto* h = find_handler(static_cast<std::int16_t>(key));
    return h != nullptr && h->min_version <= version && version <= h->max_version;
  };
  BOOST_TEST(advertises(protocol::api_key::api_versions, 0));
  BOOST_TEST(advertises(protocol::api_key::produce, 0));  // gzip/snappy/lz4
  BOOST_TEST(advertises(protocol::api_key::produce, 3));  // message format v2
  BOOST_TEST(advertises(protocol::api_key::fetch, 4));
  BOOST_TEST(advertises(protocol::api_key::find_coordinator, 0));  // lz4
  BOOST_TEST(advertises(protocol::api_key::produce, 7));  // zstd
  BOOST_TEST(advertises(protocol::api_key::fetch, 10));
  // The Java client 4.x: fetch sessions (v7+) by topic id (v13+).
  BOOST_TEST(advertises(protocol::api_key::fetch, 13));
  BOOST_TEST(advertises(protocol::api_key::fetch, 17));
  BOOST_TEST(advertises(protocol::api_key::list_offsets, 0));  // librdkafka 1.7
  BOOST_TEST(advertises(protocol::api_key::list_offsets, 1));  // offsetsForTimes
  // librdkafka's "balanced consumer" feature: the classic group APIs.
  BOOST_TEST(advertises(protocol::api_key::join_group, 0));
  BOOST_TEST(advertises(protocol::api_key::sync_group, 0));
  BOOST_TEST(advertises(protocol::api_key::heartbeat, 0));
  BOOST_TEST(advertises(protocol::api_key::leave_group, 0));
  BOOST_TEST(advertises(protocol::api_key::offset_commit, 2));
  BOOST_TEST(advertises(protocol::api_key::offset_fetch, 1));
  BOOST_TEST(advertises(protocol::api_key::init_producer_id, 0));  // idempotent producer
  // KIP-848 (librdkafka 2.4+ with group.protocol=consumer).
  BOOST_TEST(advertises(protocol::api_key::consumer_group_heartbeat, 0));
}

BOOST_AUTO_TEST_SUITE_END()
