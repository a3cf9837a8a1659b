// Every generated message (API requests and responses, data messages) at
// every version: encode a fully filled message, decode it, re-encode it, and
// compare. Generated from the schemas, so a new field, API or data message is
// covered without touching the checks (the coverage lists below name them).
#define BOOST_TEST_MODULE protocol_roundtrip
#include <boost/test/unit_test.hpp>

#include <set>
#include <string>
#include <tuple>

#include "tests/unit/protocol/codec/hex.h"
#include "tests/unit/protocol/codec/testgen_values.h"

namespace sluice::protocol {
namespace {

const std::vector<testgen::message_case>& cases() {
    static const auto all = testgen::all_message_cases();
    return all;
}

const std::vector<testgen::codec_case>& data_cases() {
    static const auto all = testgen::all_data_cases();
    return all;
}

/// API and data cases alike, for the checks that hold for every message.
const std::vector<testgen::codec_case>& every_case() {
    static const auto all = [] {
        std::vector<testgen::codec_case> out(cases().begin(), cases().end());
        out.insert(out.end(), data_cases().begin(), data_cases().end());
        return out;
    }();
    return all;
}

using testgen::hex;

}  // namespace

BOOST_AUTO_TEST_CASE(covers_every_api_and_version_served) {
    // (api, first version, last version) for requests; responses likewise.
    const std::vector<std::tuple<api_key, int, int>> expected = {
        {api_key::api_versions, 0, 4},      {api_key::metadata, 0, 12},
        {api_key::produce, 0, 12},          {api_key::fetch, 4, 17},
        {api_key::list_offsets, 0, 7},      {api_key::create_topics, 2, 7},
        {api_key::delete_topics, 1, 6},     {api_key::create_partitions, 0, 3},
        {api_key::describe_configs, 1, 4},  {api_key::alter_configs, 0, 2},
        {api_key::incremental_alter_configs, 0, 1}, {api_key::describe_cluster, 0, 1},
        {api_key::describe_topic_partitions, 0, 0},
        {api_key::find_coordinator, 0, 6},
        {api_key::offset_for_leader_epoch, 0, 4}, {api_key::elect_leaders, 0, 2},
        {api_key::alter_partition_reassignments, 0, 0}, {api_key::list_partition_reassignments, 0, 0},
        {api_key::join_group, 0, 9},        {api_key::sync_group, 0, 5},
        {api_key::heartbeat, 0, 4},         {api_key::leave_group, 0, 5},
        {api_key::offset_commit, 0, 9},     {api_key::offset_fetch, 0, 9},
        {api_key::describe_groups, 0, 5},   {api_key::list_groups, 0, 5},
        {api_key::delete_groups, 0, 2},     {api_key::offset_delete, 0, 0},
        {api_key::consumer_group_heartbeat, 0, 1}, {api_key::consumer_group_describe, 0, 0},
        {api_key::init_producer_id, 0, 5}, {api_key::add_partitions_to_txn, 0, 5},
        {api_key::add_offsets_to_txn, 0, 4}, {api_key::end_txn, 0, 5},
        {api_key::txn_offset_commit, 0, 5}, {api_key::describe_producers, 0, 0},
        {api_key::describe_transactions, 0, 0}, {api_key::list_transactions, 0, 2},
        {api_key::delete_records, 0, 2},    {api_key::describe_log_dirs, 1, 5},
        {api_key::update_features, 0, 2},
    };
    std::set<std::tuple<api_key, bool, int>> seen;
    for (const auto& c : cases()) seen.emplace(c.key, c.is_request, c.version);
    std::size_t want = 0;
    for (auto [key, lo, hi] : expected) {
        for (int v = lo; v <= hi; ++v) {
            BOOST_TEST(seen.count({key, true, v}) == 1u, api_name(key) << " request v" << v);
            BOOST_TEST(seen.count({key, false, v}) == 1u, api_name(key) << " response v" << v);
            want += 2;
        }
    }
    BOOST_TEST(seen.size() == want);
}

BOOST_AUTO_TEST_CASE(covers_every_data_message_and_version) {
    // (data message, first version, last version): schema/data_messages/.
    const std::vector<std::tuple<std::string, int, int>> expected = {
        {"offset_commit_key", 0, 1},
        {"offset_commit_value", 0, 4},
        {"group_metadata_key", 2, 2},
        {"group_metadata_value", 0, 4},
        {"consumer_group_metadata_key", 3, 3},
        {"consumer_group_metadata_value", 0, 0},
        {"consumer_group_partition_metadata_key", 4, 4},
        {"consumer_group_partition_metadata_value", 0, 0},
        {"consumer_group_member_metadata_key", 5, 5},
        {"consumer_group_member_metadata_value", 0, 0},
        {"consumer_group_target_assignment_metadata_key", 6, 6},
        {"consumer_group_target_assignment_metadata_value", 0, 0},
        {"consumer_group_target_assignment_member_key", 7, 7},
        {"consumer_group_target_assignment_member_value", 0, 0},
        {"consumer_group_current_member_assignment_key", 8, 8},
        {"consumer_group_current_member_assignment_value", 0, 0},
        {"consumer_protocol_subscription", 0, 3},
        {"consumer_protocol_assignment", 0, 3},
        {"transaction_log_key", 0, 0},
        {"transaction_log_value", 0, 1},
    };
    std::set<std::string> seen;
    for (const auto& c : data_cases()) seen.insert(c.name);
    std::size_t want = 0;
    for (const auto& [name, lo, hi] : expected) {
        for (int v = lo; v <= hi; ++v) {
            const std::string case_name = name + " v" + std::to_string(v);
            BOOST_TEST(seen.count(case_name) == 1u, case_name);
            ++want;
        }
    }
    BOOST_TEST(seen.size() == want);
}

BOOST_AUTO_TEST_CASE(filled_messages_survive_encode_decode_encode) {
    for (const auto& c : every_case()) {
        BOOST_TEST_CONTEXT(c.name) {
            const auto first = c.encode_filled(c.version, false);
            try {
                std::size_t consumed = 0;
                const auto second = c.decode_reencode(first, c.version, consumed);
                BOOST_TEST(consumed == first.size());
                BOOST_TEST(hex(second) == hex(first));
                BOOST_TEST(c.decodes_to_filled(first, c.version));
            } catch (const decode_error& e) {
                BOOST_ERROR(c.name << " does not decode its own encoding: " << e.what());
            }
        }
    }
}

BOOST_AUTO_TEST_CASE(fields_a_version_lacks_are_dropped_silently) {
    // Filling every field, whatever the version, must encode exactly like
    // filling only the version's fields.
    for (const auto& c : every_case()) {
        BOOST_TEST_CONTEXT(c.name) {
            BOOST_TEST(hex(c.encode_filled(c.version, true)) == hex(c.encode_filled(c.version, false)));
        }
    }
}

BOOST_AUTO_TEST_CASE(versions_differ_where_the_schema_says_so) {
    // A guard against a generator that ignores versions: a fully filled
    // Produce request is longer at v3 (transactional id) than at v2.
    const testgen::message_case* v2 = nullptr;
    const testgen::message_case* v3 = nullptr;
    for (const auto& c : cases()) {
        if (c.name == "produce_request v2") v2 = &c;
        if (c.name == "produce_request v3") v3 = &c;
    }
    BOOST_REQUIRE(v2 && v3);
    BOOST_TEST(v3->encode_filled(3, false).size() > v2->encode_filled(2, false).size());
}

BOOST_AUTO_TEST_CASE(every_truncation_throws_decode_error) {
    for (const auto& c : every_case()) {
        BOOST_TEST_CONTEXT(c.name) {
            const auto bytes = c.encode_filled(c.version, false);
            for (std::size_t n = 0; n < bytes.size(); ++n) {
                std::size_t consumed = 0;
                const std::span<const std::byte> prefix(bytes.data(), n);
                BOOST_CHECK_THROW(c.decode_reencode(prefix, c.version, consumed), decode_error);
            }
        }
    }
}

BOOST_AUTO_TEST_CASE(corrupted_bytes_never_escape_as_anything_but_decode_error) {
    // Flip each byte of each encoding to a few bad values: decode must either
    // succeed or throw decode_error (never crash or throw something else).
    const std::byte patterns[] = {std::byte{0xff}, std::byte{0x80}, std::byte{0x7f}, std::byte{0x00}};
    std::size_t decoded = 0, rejected = 0;
    for (const auto& c : every_case()) {
        auto bytes = c.encode_filled(c.version, false);
        for (std::size_t i = 0; i < bytes.size(); ++i) {
            const std::byte saved = bytes[i];
            for (std::byte p : patterns) {
                bytes[i] = p;
                std::size_t consumed = 0;
                try {
                    (void)c.decode_reencode(bytes, c.version, consumed);
                    ++decoded;
                } catch (const decode_error&) {
                    ++rejected;
                }
            }
            bytes[i] = saved;
        }
    }
    BOOST_TEST(decoded > 0u);
    BOOST_TEST(rejected > 0u);
}

}  // namespace sluice::protocol
