// Hand-checked byte vectors: a codec that is wrong the same way in encode and
// decode passes every round trip, but not these. Bytes follow the Kafka
// protocol guide's primitive types and the message layouts of Kafka's schemas.
#include <boost/test/unit_test.hpp>

#include "common/protocol/header.h"
#include "common/protocol/messages/api_versions.h"
#include "common/protocol/messages/consumer_group_heartbeat.h"
#include "common/protocol/messages/create_topics.h"
#include "common/protocol/messages/fetch.h"
#include "common/protocol/messages/find_coordinator.h"
#include "common/protocol/messages/list_offsets.h"
#include "common/protocol/messages/metadata.h"
#include "common/protocol/messages/offset_commit.h"
#include "common/protocol/messages/offset_fetch.h"
#include "common/protocol/messages/produce.h"
#include "tests/unit/protocol/codec/hex.h"
#include "tests/unit/protocol/codec/known_bytes.h"

namespace sluice::protocol {
namespace {

using testgen::bytes_builder;
using testgen::decode_all;
using testgen::encode;
using testgen::hex;

}  // namespace

BOOST_AUTO_TEST_CASE(api_versions_v3_request_as_librdkafka_sends_it) {
    bytes_builder b;
    b({0x00, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01})  // key 18, v3, correlation 1
        ({0x00, 0x07})("rdkafka")({0x00})                 // client id (i16 length), no tags
        ({0x0b})("librdkafka")({0x06})("2.0.2")({0x00});  // compact strings, no tags
    reader r(b.out);
    const request_header h = decode_request_header(r);
    BOOST_TEST(h.api_key == 18);
    BOOST_TEST(h.api_version == 3);
    BOOST_TEST(h.correlation_id == 1);
    BOOST_TEST(h.client_id.value() == "rdkafka");
    BOOST_TEST(h.header_version() == 2);

    api_versions_request req;
    req.decode(r, h.api_version);
    BOOST_TEST(r.remaining() == 0u);
    BOOST_TEST(req.client_software_name == "librdkafka");
    BOOST_TEST(req.client_software_version == "2.0.2");

    writer w;
    h.encode(w);
    req.encode(w, 3);
    BOOST_TEST(hex(w.take()) == hex(b.out));
}

BOOST_AUTO_TEST_CASE(unknown_tagged_fields_are_skipped) {
    bytes_builder b;
    b({0x02})("a")({0x02})("b")       // software name and version
        ({0x02})                      // two tagged fields
        ({0x07, 0x02, 0xde, 0xad})    // tag 7, 2 bytes
        ({0x09, 0x00});               // tag 9, empty
    const auto req = decode_all<api_versions_request>(b.out, 3);
    BOOST_TEST(req.client_software_name == "a");
    BOOST_TEST(req.client_software_version == "b");
}

BOOST_AUTO_TEST_CASE(api_versions_responses_by_version) {
    api_versions_response resp;
    resp.api_keys.push_back({18, 0, 4});
    resp.throttle_time_ms = 9;

    bytes_builder v0;  // no throttle time in v0
    v0({0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x12, 0x00, 0x00, 0x00, 0x04});
    BOOST_TEST(hex(encode(resp, 0)) == hex(v0.out));

    bytes_builder v1;
    v1({0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x12, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x09});
    BOOST_TEST(hex(encode(resp, 1)) == hex(v1.out));

    resp.finalized_features_epoch = 5;  // tagged field 1, written because not default (-1)
    bytes_builder v3;
    v3({0x00, 0x00})                                   // error code
        ({0x02, 0x00, 0x12, 0x00, 0x00, 0x00, 0x04, 0x00})  // compact array of 1, element tags
        ({0x00, 0x00, 0x00, 0x09})                     // throttle time
        ({0x01, 0x01, 0x08, 0, 0, 0, 0, 0, 0, 0, 0x05});  // 1 tagged field: tag 1, 8 bytes
    BOOST_TEST(hex(encode(resp, 3)) == hex(v3.out));
    const auto back = decode_all<api_versions_response>(v3.out, 3);
    BOOST_TEST(back.finalized_features_epoch == 5);
    BOOST_TEST(back.api_keys.at(0).max_version == 4);
    BOOST_TEST(!back.zk_migration_ready);

    // ApiVersions answers always use response header v0, even when flexible.
    BOOST_TEST(response_header_version(api_key::api_versions, 3) == 0);
    BOOST_TEST(request_header_version(api_key::api_versions, 3) == 2);
    BOOST_TEST(request_header_version(api_key::api_versions, 2) == 1);
}

// What a broker finalizing transaction version 2 answers a v4 request: the
// three feature fields are tagged (0 supported, 1 epoch, 2 finalized), each
// a compact array of structs with their own empty tag sections.
BOOST_AUTO_TEST_CASE(api_versions_v4_response_with_the_transaction_version_feature) {
    api_versions_response resp;
    resp.api_keys.push_back({18, 0, 4});
    resp.supported_features.push_back({.name = "transaction.version", .min_version = 0, .max_version = 2});
    resp.finalized_features_epoch = 17;
    resp.finalized_features.push_back({.name = "transaction.version", .max_version_level = 2, .min_version_level = 2});
    bytes_builder b;
    b({0x00, 0x00})                                        // error code
        ({0x02, 0x00, 0x12, 0x00, 0x00, 0x00, 0x04, 0x00})  // 1 api key, element tags
        ({0x00, 0x00, 0x00, 0x00})                         // throttle time
        ({0x03})                                           // 3 tagged fields
        ({0x00, 0x1a, 0x02, 0x14})("transaction.version")  // tag 0, 26 bytes: 1 feature, name
        ({0x00, 0x00, 0x00, 0x02, 0x00})                   // min 0, max 2, element tags
        ({0x01, 0x08, 0, 0, 0, 0, 0, 0, 0, 0x11})          // tag 1, 8 bytes: epoch 17
        ({0x02, 0x1a, 0x02, 0x14})("transaction.version")  // tag 2, 26 bytes: 1 feature, name
        ({0x00, 0x02, 0x00, 0x02, 0x00});                  // max level 2, min level 2, element tags
    BOOST_TEST(hex(encode(resp, 4)) == hex(b.out));
    const auto back = decode_all<api_versions_response>(b.out, 4);
    BOOST_REQUIRE(back.finalized_features.size() == 1u);
    BOOST_TEST(back.finalized_features[0].name == "transaction.version");
    BOOST_TEST(back.finalized_features[0].max_version_level == 2);
    BOOST_TEST(back.supported_features.at(0).max_version == 2);
    BOOST_TEST(back.finalized_features_epoch == 17);
}

BOOST_AUTO_TEST_CASE(metadata_v0_request_topics_are_not_nullable) {
    bytes_builder b;
    b({0x00, 0x00, 0x00, 0x01, 0x00, 0x03})("foo");
    const auto req = decode_all<metadata_request>(b.out, 0);
    BOOST_REQUIRE(req.topics.has_value());
    BOOST_TEST(req.topics->size() == 1u);
    BOOST_TEST(req.topics->at(0).name.value() == "foo");
    BOOST_TEST(req.allow_auto_topic_creation);  // default: v0 has no such field
    BOOST_TEST(hex(encode(req, 0)) == hex(b.out));

    bytes_builder null_topics;
    null_topics({0xff, 0xff, 0xff, 0xff});
    reader r0(null_topics.out);
    metadata_request m0;
    BOOST_CHECK_THROW(m0.decode(r0, 0), decode_error);
    const auto all = decode_all<metadata_request>(null_topics.out, 1);  // v1+: null = all topics
    BOOST_TEST(!all.topics.has_value());

    metadata_request none;
    none.topics.reset();
    bytes_builder empty;
    empty({0x00, 0x00, 0x00, 0x00});
    BOOST_TEST(encode(none, 0) == empty.out);  // null cannot be said in v0: written as empty
}

BOOST_AUTO_TEST_CASE(metadata_v9_request_is_compact) {
    metadata_request req;
    req.topics = std::vector<metadata_request::metadata_request_topic>(1);
    req.topics->at(0).name = "t";
    req.allow_auto_topic_creation = false;
    req.include_topic_authorized_operations = true;
    bytes_builder b;
    b({0x02, 0x02})("t")({0x00})     // 1 topic, compact name, element tags
        ({0x00, 0x00, 0x01})         // auto create, cluster ops (v8-10), topic ops
        ({0x00});                    // tags
    BOOST_TEST(hex(encode(req, 9)) == hex(b.out));
}

BOOST_AUTO_TEST_CASE(produce_v3_records_are_a_view_into_the_input) {
    bytes_builder b;
    b({0xff, 0xff})                             // transactional id: null
        ({0xff, 0xff, 0x00, 0x00, 0x75, 0x30})  // acks -1, timeout 30000
        ({0x00, 0x00, 0x00, 0x01, 0x00, 0x01})("t")
        ({0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02})  // 1 partition, index 2
        ({0x00, 0x00, 0x00, 0x03, 0xaa, 0xbb, 0xcc});       // 3 bytes of records
    const auto req = decode_all<produce_request>(b.out, 3);
    BOOST_TEST(!req.transactional_id.has_value());
    BOOST_TEST(req.acks == -1);
    BOOST_TEST(req.timeout_ms == 30000);
    const auto& p = req.topic_data.at(0).partition_data.at(0);
    BOOST_TEST(p.index == 2);
    BOOST_REQUIRE(p.records.has_value());
    BOOST_TEST(p.records->size() == 3u);
    BOOST_TEST(p.records->data() == b.out.data() + b.out.size() - 3);  // no copy
    BOOST_TEST(hex(encode(req, 3)) == hex(b.out));

    // v2 has no transactional id: the field is dropped, the rest is unchanged.
    produce_request with_id = req;
    with_id.transactional_id = "tx";
    const auto v2 = encode(with_id, 2);
    BOOST_TEST(hex(std::vector<std::byte>(b.out.begin() + 2, b.out.end())) == hex(v2));
}

BOOST_AUTO_TEST_CASE(produce_v9_request_is_compact_with_tag_sections) {
    bytes_builder b;
    b({0x00})                                   // transactional id: compact null
        ({0xff, 0xff, 0x00, 0x00, 0x75, 0x30})  // acks -1, timeout 30000
        ({0x02, 0x02})("t")                     // 1 topic, compact name
        ({0x02, 0x00, 0x00, 0x00, 0x01})        // 1 partition, index 1
        ({0x04, 0xaa, 0xbb, 0xcc})              // compact records: 3 bytes
        ({0x00, 0x00, 0x00});                   // partition, topic, request tags
    const auto req = decode_all<produce_request>(b.out, 9);
    BOOST_TEST(!req.transactional_id.has_value());
    BOOST_TEST(req.topic_data.at(0).name == "t");
    BOOST_TEST(req.topic_data.at(0).partition_data.at(0).records->size() == 3u);
    BOOST_TEST(hex(encode(req, 9)) == hex(b.out));
}

// Produce v10-12 requests have v9's layout (v10 is KIP-951, v11 the
// TRANSACTION_ABORTABLE error, v12 transaction version 2).
BOOST_AUTO_TEST_CASE(produce_v10_to_v12_requests_have_the_v9_layout) {
    bytes_builder b;
    b({0x03})("tx")                             // transactional id: compact "tx"
        ({0xff, 0xff, 0x00, 0x00, 0x75, 0x30})  // acks -1, timeout 30000
        ({0x02, 0x02})("t")                     // 1 topic, compact name
        ({0x02, 0x00, 0x00, 0x00, 0x01})        // 1 partition, index 1
        ({0x04, 0xaa, 0xbb, 0xcc})              // compact records: 3 bytes
        ({0x00, 0x00, 0x00});                   // partition, topic, request tags
    for (std::int16_t v = 10; v <= 12; ++v) {
        const auto req = decode_all<produce_request>(b.out, v);
        BOOST_TEST(req.transactional_id.value() == "tx");
        BOOST_TEST(req.topic_data.at(0).partition_data.at(0).records->size() == 3u);
        BOOST_TEST(hex(encode(req, v)) == hex(b.out));
    }
}

// A v10+ response as a Kafka broker may send it, with KIP-951's CurrentLeader
// (a tagged field Sluice never writes) in a partition: read past, not an error.
BOOST_AUTO_TEST_CASE(produce_v10_response_current_leader_tag_is_skipped) {
    bytes_builder b;
    b({0x02, 0x02})("t")                                  // 1 topic, compact name
        ({0x02, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00})      // 1 partition, index 1, error 0
        ({0, 0, 0, 0, 0, 0, 0, 0x05})                     // base offset 5
        ({0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff})  // log append time -1
        ({0, 0, 0, 0, 0, 0, 0, 0})                        // log start offset 0
        ({0x01, 0x00})                                    // no record errors, null message
        ({0x01, 0x00, 0x09, 0, 0, 0, 0x02, 0, 0, 0, 0x07, 0x00})  // tag 0: leader 2, epoch 7
        ({0x00})                                          // topic tags
        ({0x00, 0x00, 0x00, 0x00, 0x00});                 // throttle time, response tags
    for (std::int16_t v = 10; v <= 12; ++v) {
        const auto resp = decode_all<produce_response>(b.out, v);
        BOOST_TEST(resp.responses.at(0).partition_responses.at(0).base_offset == 5);
        BOOST_TEST(resp.responses.at(0).partition_responses.at(0).log_append_time_ms == -1);
    }
}

BOOST_AUTO_TEST_CASE(create_topics_v5_response_tagged_config_error) {
    create_topics_response resp;
    resp.topics.resize(1);
    auto& t = resp.topics[0];
    t.name = "t";
    t.error_message = std::nullopt;
    t.num_partitions = 3;
    t.replication_factor = 1;
    t.configs = std::nullopt;
    t.topic_config_error_code = 29;  // tag 0
    bytes_builder b;
    b({0x00, 0x00, 0x00, 0x00, 0x02, 0x02})("t")  // throttle, 1 topic, name
        ({0x00, 0x00, 0x00})                       // error 0, null message
        ({0x00, 0x00, 0x00, 0x03, 0x00, 0x01})     // 3 partitions, replication 1
        ({0x00})                                   // configs: null
        ({0x01, 0x00, 0x02, 0x00, 0x1d})           // 1 tag: 0, 2 bytes, int16 29
        ({0x00});                                  // response tags
    BOOST_TEST(hex(encode(resp, 5)) == hex(b.out));
    const auto back = decode_all<create_topics_response>(b.out, 5);
    BOOST_TEST(back.topics.at(0).topic_config_error_code == 29);
    BOOST_TEST(!back.topics.at(0).configs.has_value());
}

BOOST_AUTO_TEST_CASE(list_offsets_v0_has_max_num_offsets_and_old_style_offsets) {
    bytes_builder req_bytes;
    req_bytes({0xff, 0xff, 0xff, 0xff})          // replica id -1
        ({0x00, 0x00, 0x00, 0x01, 0x00, 0x01})("t")
        ({0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00})       // partition 0
        ({0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff})       // timestamp -1 (latest)
        ({0x00, 0x00, 0x00, 0x01});                              // max num offsets 1
    const auto req = decode_all<list_offsets_request>(req_bytes.out, 0);
    BOOST_TEST(req.replica_id == -1);
    BOOST_TEST(req.topics.at(0).partitions.at(0).timestamp == -1);
    BOOST_TEST(req.topics.at(0).partitions.at(0).max_num_offsets == 1);

    list_offsets_response resp;
    resp.topics.resize(1);
    resp.topics[0].name = "t";
    resp.topics[0].partitions.resize(1);
    resp.topics[0].partitions[0].old_style_offsets = {42};
    resp.topics[0].partitions[0].offset = 42;  // v1+ only: dropped at v0
    bytes_builder v0;
    v0({0x00, 0x00, 0x00, 0x01, 0x00, 0x01})("t")
        ({0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00})  // partition 0, error 0
        ({0x00, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 42});             // offsets [42]
    BOOST_TEST(hex(encode(resp, 0)) == hex(v0.out));
}

BOOST_AUTO_TEST_CASE(find_coordinator_v0_key_and_v4_batches) {
    bytes_builder v0;
    v0({0x00, 0x01})("g");
    const auto req = decode_all<find_coordinator_request>(v0.out, 0);
    BOOST_TEST(req.coordinator_key == "g");
    BOOST_TEST(req.key_type == 0);

    find_coordinator_response resp;
    resp.coordinators.resize(1);
    resp.coordinators[0].key = "g";
    resp.coordinators[0].node_id = -1;
    resp.coordinators[0].port = -1;
    resp.coordinators[0].error_code = 15;
    resp.coordinators[0].error_message = std::nullopt;
    bytes_builder v4;
    v4({0x00, 0x00, 0x00, 0x00, 0x02, 0x02})("g")   // throttle, 1 coordinator, key
        ({0xff, 0xff, 0xff, 0xff, 0x01})            // node -1, host ""
        ({0xff, 0xff, 0xff, 0xff, 0x00, 0x0f})      // port -1, error 15
        ({0x00, 0x00, 0x00});                       // null message, element tags, tags
    BOOST_TEST(hex(encode(resp, 4)) == hex(v4.out));
}

BOOST_AUTO_TEST_CASE(fetch_v12_tagged_struct_written_only_when_not_default) {
    fetch_response::partition_data p;
    p.records = std::nullopt;
    writer plain;
    p.encode(plain, 12);
    p.current_leader.leader_id = 3;  // tag 1
    writer tagged;
    p.encode(tagged, 12);
    // Same up to the tag section, which now holds one field: tag 1, 9 bytes
    // (leader id, leader epoch, the struct's own empty tag section).
    const auto a = plain.data();
    const auto b = tagged.data();
    BOOST_TEST(std::to_integer<int>(a.back()) == 0);  // no tagged fields
    BOOST_REQUIRE(b.size() == a.size() + 11);
    BOOST_TEST(std::equal(a.begin(), a.end() - 1, b.begin()));
    bytes_builder section;
    section({0x01, 0x01, 0x09, 0x00, 0x00, 0x00, 0x03, 0xff, 0xff, 0xff, 0xff, 0x00});
    BOOST_TEST(hex(std::vector<std::byte>(b.end() - 12, b.end())) == hex(section.out));
    reader r(b);
    fetch_response::partition_data back;
    back.decode(r, 12);
    BOOST_TEST(back.current_leader.leader_id == 3);
    BOOST_TEST(back.current_leader.leader_epoch == -1);
}

BOOST_AUTO_TEST_CASE(consumer_group_heartbeat_assignment_is_a_nullable_struct) {
    consumer_group_heartbeat_response resp;
    BOOST_TEST(!resp.assignment.has_value());  // default=null
    BOOST_TEST(!resp.member_id.has_value());
    resp.member_id = "m1";
    resp.member_epoch = 5;
    resp.heartbeat_interval_ms = 3000;
    bytes_builder head;
    head({0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00})  // throttle, error, null message
        ({0x03})("m1")({0x00, 0x00, 0x00, 0x05, 0x00, 0x00, 0x0b, 0xb8});
    bytes_builder null_form = head;
    null_form({0xff, 0x00});  // int8 -1: null; no tags
    BOOST_TEST(hex(encode(resp, 0)) == hex(null_form.out));
    BOOST_TEST(!decode_all<consumer_group_heartbeat_response>(null_form.out, 1).assignment.has_value());

    // Not emplace(): clang cannot default-construct a nested message struct in std::optional::emplace.
    resp.assignment = consumer_group_heartbeat_response::member_assignment{};
    auto& tp = resp.assignment->topic_partitions.emplace_back();
    for (std::size_t i = 0; i < tp.topic_id.bytes.size(); ++i) tp.topic_id.bytes[i] = std::byte(i + 1);
    tp.partitions = {0, 2};
    bytes_builder present = head;
    present({0x01, 0x02})  // int8 1: present; 1 topic
        ({1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16})
        ({0x03, 0, 0, 0, 0, 0, 0, 0, 2})  // partitions [0, 2]
        ({0x00, 0x00, 0x00});             // topic tags, assignment tags, message tags
    BOOST_TEST(hex(encode(resp, 1)) == hex(present.out));
    auto back = decode_all<consumer_group_heartbeat_response>(present.out, 1);
    BOOST_REQUIRE(back.assignment.has_value());
    BOOST_TEST(back.assignment->topic_partitions.at(0).partitions == std::vector<std::int32_t>({0, 2}));
    // As in Kafka, any non-negative marker means present.
    present.out[head.out.size()] = std::byte{0};
    BOOST_TEST(decode_all<consumer_group_heartbeat_response>(present.out, 1).assignment.has_value());
}

BOOST_AUTO_TEST_CASE(offset_commit_and_offset_fetch_defaults_and_layouts) {
    // Kafka's defaults: -1 means "no generation / member epoch" and "no leader epoch".
    offset_commit_request req;
    BOOST_TEST(req.generation_id_or_member_epoch == -1);
    BOOST_TEST(req.retention_time_ms == -1);
    BOOST_TEST(!req.group_instance_id.has_value());
    offset_commit_request::offset_commit_request_partition p;
    BOOST_TEST(p.committed_leader_epoch == -1);
    BOOST_TEST(p.commit_timestamp == -1);
    BOOST_TEST(p.committed_metadata.has_value());  // nullable, but no default=null: ""

    // v1 alone carries the per-partition commit timestamp.
    req.group_id = "g";
    req.generation_id_or_member_epoch = 3;
    req.member_id = "m";
    req.topics.push_back({.name = "t", .partitions = {{.partition_index = 0, .committed_offset = 7}}});
    bytes_builder v1;
    v1({0x00, 0x01})("g")({0x00, 0x00, 0x00, 0x03, 0x00, 0x01})("m")
        ({0x00, 0x00, 0x00, 0x01, 0x00, 0x01})("t")({0x00, 0x00, 0x00, 0x01})
        ({0x00, 0x00, 0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 7})  // partition 0, offset 7
        ({0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff})  // commit timestamp -1
        ({0x00, 0x00});                                      // metadata ""
    BOOST_TEST(hex(encode(req, 1)) == hex(v1.out));

    // OffsetFetch: one group and a topic list that may be null (all topics) up
    // to v7; from v8 only the groups array, each with its own nullable topics.
    offset_fetch_request f;
    f.group_id = "g";
    f.topics = std::nullopt;
    bytes_builder v7;
    v7({0x02})("g")({0x00, 0x00, 0x00});  // compact "g", null topics, require_stable false, tags
    BOOST_TEST(hex(encode(f, 7)) == hex(v7.out));
    f.groups.push_back({.group_id = "g", .topics = std::nullopt});
    bytes_builder v8;
    v8({0x02, 0x02})("g")({0x00, 0x00, 0x00, 0x00});  // 1 group "g", null topics, group tags, false, tags
    BOOST_TEST(hex(encode(f, 8)) == hex(v8.out));
    const auto back = decode_all<offset_fetch_request>(v8.out, 8);
    BOOST_REQUIRE(back.groups.size() == 1u);
    BOOST_TEST(!back.groups[0].topics.has_value());
    BOOST_TEST(back.groups[0].member_epoch == -1);
}

BOOST_AUTO_TEST_CASE(headers) {
    writer w;
    write_response_header(w, 7, 0);
    write_response_header(w, 8, 1);
    bytes_builder b;
    b({0x00, 0x00, 0x00, 0x07, 0x00, 0x00, 0x00, 0x08, 0x00});
    BOOST_TEST(hex(w.take()) == hex(b.out));

    bytes_builder v1_null_client;  // Metadata v1 request header, client id null
    v1_null_client({0x00, 0x03, 0x00, 0x01, 0x00, 0x00, 0x00, 0x05, 0xff, 0xff});
    reader r(v1_null_client.out);
    const auto h = decode_request_header(r);
    BOOST_TEST(h.correlation_id == 5);
    BOOST_TEST(!h.client_id.has_value());
    BOOST_TEST(r.remaining() == 0u);

    bytes_builder truncated;
    truncated({0x00, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01, 0x00, 0x07, 'r'});
    reader rt(truncated.out);
    BOOST_CHECK_THROW(decode_request_header(rt), decode_error);

    BOOST_TEST(request_header_version(api_key::controlled_shutdown, 0) == 0);
    BOOST_TEST(request_header_version(api_key::metadata, 8) == 1);
    BOOST_TEST(request_header_version(api_key::metadata, 9) == 2);
    BOOST_TEST(response_header_version(api_key::metadata, 8) == 0);
    BOOST_TEST(response_header_version(api_key::metadata, 9) == 1);
    BOOST_TEST(response_header_version(api_key::produce, 9) == 1);
    BOOST_TEST(response_header_version(api_key::describe_cluster, 0) == 1);
    BOOST_TEST(api_name(api_key::list_offsets) == "ListOffsets");
    BOOST_TEST(!is_known_api(9999));
}

}  // namespace sluice::protocol
