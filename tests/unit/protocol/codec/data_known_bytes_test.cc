// Hand-checked bytes of every data message (schema/data_messages/), behind
// the int16 version Kafka stores in front of it in a record key or value or a
// group member's metadata (versioned_data.h). Written out field by field from
// Kafka's layouts, so a codec wrong the same way in encode and decode fails
// here; old versions are decoded from bytes an older Kafka writes.
#include <boost/test/unit_test.hpp>

#include "common/protocol/data/consumer_group_current_member_assignment_key.h"
#include "common/protocol/data/consumer_group_current_member_assignment_value.h"
#include "common/protocol/data/consumer_group_member_metadata_key.h"
#include "common/protocol/data/consumer_group_member_metadata_value.h"
#include "common/protocol/data/consumer_group_metadata_key.h"
#include "common/protocol/data/consumer_group_metadata_value.h"
#include "common/protocol/data/consumer_group_partition_metadata_key.h"
#include "common/protocol/data/consumer_group_partition_metadata_value.h"
#include "common/protocol/data/consumer_group_target_assignment_member_key.h"
#include "common/protocol/data/consumer_group_target_assignment_member_value.h"
#include "common/protocol/data/consumer_group_target_assignment_metadata_key.h"
#include "common/protocol/data/consumer_group_target_assignment_metadata_value.h"
#include "common/protocol/data/consumer_protocol_assignment.h"
#include "common/protocol/data/consumer_protocol_subscription.h"
#include "common/protocol/data/group_metadata_key.h"
#include "common/protocol/data/group_metadata_value.h"
#include "common/protocol/data/offset_commit_key.h"
#include "common/protocol/data/offset_commit_value.h"
#include "common/protocol/data/transaction_log_key.h"
#include "common/protocol/data/transaction_log_value.h"
#include "common/protocol/versioned_data.h"
#include "tests/unit/protocol/codec/hex.h"
#include "tests/unit/protocol/codec/known_bytes.h"

namespace sluice::protocol {
namespace {

using testgen::bytes_builder;
using testgen::hex;

/// `m` as stored (its version, then its fields), in hex.
template <class M>
std::string stored(const M& m, std::int16_t version) {
    return hex(bytes_of(encode_versioned(m, version)));
}

template <class M>
versioned<M> read(const bytes_builder& b, unknown_version unknown = unknown_version::refuse) {
    return decode_versioned<M>(string_of(b.out), unknown);
}

uuid id_of(int n) {
    uuid id{};
    id.bytes[15] = std::byte(n);
    return id;
}

std::string_view id_bytes(const uuid& id) {
    return {reinterpret_cast<const char*>(id.bytes.data()), id.bytes.size()};
}

}  // namespace

BOOST_AUTO_TEST_SUITE(offsets_topic_records)

BOOST_AUTO_TEST_CASE(offset_commit_key_versions_0_and_1_share_one_layout) {
    bytes_builder v1;
    v1({0x00, 0x01})({0x00, 0x01})("g")({0x00, 0x01})("t")({0x00, 0x00, 0x00, 0x03});
    BOOST_TEST(stored(offset_commit_key{.group = "g", .topic = "t", .partition = 3}, 1) == hex(v1.out));

    bytes_builder v0;
    v0({0x00, 0x00})({0x00, 0x02})("gg")({0x00, 0x01})("u")({0x00, 0x00, 0x00, 0x07});
    const auto back = read<offset_commit_key>(v0);
    BOOST_TEST(back.version == 0);
    BOOST_TEST(back.message.group == "gg");
    BOOST_TEST(back.message.topic == "u");
    BOOST_TEST(back.message.partition == 7);
}

BOOST_AUTO_TEST_CASE(offset_commit_value_by_version) {
    offset_commit_value v{.offset = 5, .leader_epoch = 2, .metadata = "", .commit_timestamp = 1};
    bytes_builder v3;  // offset, leader epoch, metadata (int16 length), commit time
    v3({0x00, 0x03})({0, 0, 0, 0, 0, 0, 0, 5})({0, 0, 0, 2})({0x00, 0x00})({0, 0, 0, 0, 0, 0, 0, 1});
    BOOST_TEST(stored(v, 3) == hex(v3.out));

    bytes_builder v4;  // flexible: compact metadata, tagged fields
    v.metadata = "m";
    v4({0x00, 0x04})({0, 0, 0, 0, 0, 0, 0, 5})({0, 0, 0, 2})({0x02})("m")({0, 0, 0, 0, 0, 0, 0, 1})({0x00});
    BOOST_TEST(stored(v, 4) == hex(v4.out));

    bytes_builder v1;  // no leader epoch; an expire time after the commit time
    v1({0x00, 0x01})({0, 0, 0, 0, 0, 0, 0, 9})({0x00, 0x02})("hi")({0, 0, 0, 0, 0, 0, 0, 1})({0, 0, 0, 0, 0, 0, 0, 2});
    const auto back = read<offset_commit_value>(v1);
    BOOST_TEST(back.version == 1);
    BOOST_TEST(back.message.offset == 9);
    BOOST_TEST(back.message.leader_epoch == -1);
    BOOST_TEST(back.message.metadata == "hi");
    BOOST_TEST(back.message.commit_timestamp == 1);
    BOOST_TEST(back.message.expire_timestamp == 2);
    BOOST_TEST(stored(back.message, 1) == hex(v1.out));

    bytes_builder v0;
    v0({0x00, 0x00})({0, 0, 0, 0, 0, 0, 0, 4})({0x00, 0x00})({0, 0, 0, 0, 0, 0, 0, 6});
    BOOST_TEST(read<offset_commit_value>(v0).message.commit_timestamp == 6);
}

BOOST_AUTO_TEST_CASE(versions_a_schema_lacks_are_refused_or_read_as_the_nearest) {
    bytes_builder v5;  // a future OffsetCommitValue laid out like v4
    v5({0x00, 0x05})({0, 0, 0, 0, 0, 0, 0, 5})({0, 0, 0, 2})({0x01})({0, 0, 0, 0, 0, 0, 0, 1})({0x00});
    BOOST_CHECK_THROW(read<offset_commit_value>(v5), decode_error);
    const auto nearest = read<offset_commit_value>(v5, unknown_version::read_as_nearest);
    BOOST_TEST(nearest.version == 5);
    BOOST_TEST(nearest.message.leader_epoch == 2);
    BOOST_TEST(nearest.message.commit_timestamp == 1);
    bytes_builder none;
    none({0x00});  // not even a version
    BOOST_CHECK_THROW(version_of(string_of(none.out)), decode_error);
}

BOOST_AUTO_TEST_CASE(group_metadata_key_is_version_2) {
    bytes_builder b;
    b({0x00, 0x02})({0x00, 0x01})("g");
    BOOST_TEST(stored(group_metadata_key{.group = "g"}, 2) == hex(b.out));
    BOOST_TEST(read<group_metadata_key>(b).message.group == "g");
}

BOOST_AUTO_TEST_CASE(group_metadata_value_by_version) {
    const group_metadata_value g{
        .protocol_type = "consumer", .generation = 2, .protocol = "range", .leader = "m1",
        .current_state_timestamp = 10,
        .members = {{.member_id = "m1", .group_instance_id = std::nullopt, .client_id = "c", .client_host = "/h",
                     .rebalance_timeout = 300, .session_timeout = 100, .subscription = {std::byte{0xaa}}}}};

    bytes_builder v3;
    v3({0x00, 0x03})({0x00, 0x08})("consumer")({0, 0, 0, 2})({0x00, 0x05})("range")({0x00, 0x02})("m1")
        ({0, 0, 0, 0, 0, 0, 0, 10})({0, 0, 0, 1})                     // state time, one member
        ({0x00, 0x02})("m1")({0xff, 0xff})({0x00, 0x01})("c")({0x00, 0x02})("/h")  // null instance id
        ({0x00, 0x00, 0x01, 0x2c})({0x00, 0x00, 0x00, 0x64})           // rebalance 300, session 100
        ({0, 0, 0, 1, 0xaa})({0, 0, 0, 0});                            // subscription, assignment
    BOOST_TEST(stored(g, 3) == hex(v3.out));

    bytes_builder v4;  // flexible: compact strings and bytes, tagged fields after each struct
    v4({0x00, 0x04})({0x09})("consumer")({0, 0, 0, 2})({0x06})("range")({0x03})("m1")({0, 0, 0, 0, 0, 0, 0, 10})
        ({0x02})({0x03})("m1")({0x00})({0x02})("c")({0x03})("/h")({0x00, 0x00, 0x01, 0x2c})({0x00, 0x00, 0x00, 0x64})
        ({0x02, 0xaa})({0x01})({0x00})({0x00});
    BOOST_TEST(stored(g, 4) == hex(v4.out));
    BOOST_TEST(read<group_metadata_value>(v4).message.members.at(0).rebalance_timeout == 300);

    bytes_builder v0;  // no state time, instance ids or rebalance timeout
    v0({0x00, 0x00})({0x00, 0x08})("consumer")({0, 0, 0, 1})({0x00, 0x05})("range")({0x00, 0x02})("m1")({0, 0, 0, 1})
        ({0x00, 0x02})("m1")({0x00, 0x01})("c")({0x00, 0x02})("/h")({0x00, 0x00, 0x00, 0x64})({0, 0, 0, 0})({0, 0, 0, 0});
    const auto back = read<group_metadata_value>(v0);
    BOOST_TEST(back.message.generation == 1);
    BOOST_TEST(back.message.current_state_timestamp == -1);
    BOOST_TEST(back.message.members.at(0).session_timeout == 100);
    BOOST_TEST(back.message.members.at(0).rebalance_timeout == -1);
    BOOST_TEST(!back.message.members.at(0).group_instance_id.has_value());
    BOOST_TEST(stored(back.message, 0) == hex(v0.out));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(consumer_group_records)

BOOST_AUTO_TEST_CASE(keys_are_their_record_type_then_group_and_member) {
    auto group_only = [](int type) {
        bytes_builder b;
        b({0x00, type})({0x00, 0x01})("g");
        return hex(b.out);
    };
    auto per_member = [](int type) {
        bytes_builder b;
        b({0x00, type})({0x00, 0x01})("g")({0x00, 0x01})("m");
        return hex(b.out);
    };
    BOOST_TEST(stored(consumer_group_metadata_key{.group_id = "g"}, 3) == group_only(3));
    BOOST_TEST(stored(consumer_group_partition_metadata_key{.group_id = "g"}, 4) == group_only(4));
    BOOST_TEST(stored(consumer_group_member_metadata_key{.group_id = "g", .member_id = "m"}, 5) == per_member(5));
    BOOST_TEST(stored(consumer_group_target_assignment_metadata_key{.group_id = "g"}, 6) == group_only(6));
    BOOST_TEST(stored(consumer_group_target_assignment_member_key{.group_id = "g", .member_id = "m"}, 7) ==
               per_member(7));
    BOOST_TEST(stored(consumer_group_current_member_assignment_key{.group_id = "g", .member_id = "m"}, 8) ==
               per_member(8));
}

BOOST_AUTO_TEST_CASE(epoch_values_are_an_int32_and_no_tags) {
    bytes_builder five;
    five({0x00, 0x00})({0, 0, 0, 5})({0x00});
    BOOST_TEST(stored(consumer_group_metadata_value{.epoch = 5}, 0) == hex(five.out));
    BOOST_TEST(stored(consumer_group_target_assignment_metadata_value{.assignment_epoch = 5}, 0) == hex(five.out));
    BOOST_TEST(read<consumer_group_target_assignment_metadata_value>(five).message.assignment_epoch == 5);
}

BOOST_AUTO_TEST_CASE(partition_metadata_value_with_racks) {
    bytes_builder b;
    b({0x00, 0x00})({0x02})(id_bytes(id_of(1)))({0x02})("t")({0, 0, 0, 1})  // one topic: id, name, 1 partition
        ({0x02})({0, 0, 0, 0})({0x02})({0x03})("r1")({0x00})                 // partition 0 on rack r1, tags
        ({0x00})({0x00});                                                    // topic tags, tags
    const auto back = read<consumer_group_partition_metadata_value>(b).message;
    BOOST_REQUIRE(back.topics.size() == 1u);
    BOOST_TEST((back.topics[0].topic_id == id_of(1)));
    BOOST_TEST(back.topics[0].topic_name == "t");
    BOOST_TEST(back.topics[0].num_partitions == 1);
    BOOST_TEST(back.topics[0].partition_metadata.at(0).racks.at(0) == "r1");
    BOOST_TEST(stored(back, 0) == hex(b.out));
}

BOOST_AUTO_TEST_CASE(member_metadata_value_and_its_classic_member_tag) {
    consumer_group_member_metadata_value v{.instance_id = "static-1", .rack_id = std::nullopt, .client_id = "c",
                                           .client_host = "/h", .subscribed_topic_names = {"a"},
                                           .subscribed_topic_regex = std::nullopt, .rebalance_timeout_ms = 45000,
                                           .server_assignor = "uniform"};
    bytes_builder b;
    b({0x00, 0x00})({0x09})("static-1")({0x00})({0x02})("c")({0x03})("/h")  // instance id, null rack
        ({0x02})({0x02})("a")({0x00})({0x00, 0x00, 0xaf, 0xc8})({0x08})("uniform");
    bytes_builder no_tags = b;
    no_tags({0x00});
    BOOST_TEST(stored(v, 0) == hex(no_tags.out));

    // Tag 0, as Kafka writes it for a member that joined with the classic
    // protocol: size, a uvarint 1 (present), session timeout, protocols.
    v.classic_member_metadata = consumer_group_member_metadata_value::classic_member{
        .session_timeout_ms = 10000,
        .supported_protocols = {{.name = "range", .metadata = {std::byte{0xbb}}}}};
    bytes_builder tagged = b;
    tagged({0x01})({0x00, 0x10})({0x01})({0x00, 0x00, 0x27, 0x10})({0x02})({0x06})("range")({0x02, 0xbb})({0x00})
        ({0x00});
    BOOST_TEST(stored(v, 0) == hex(tagged.out));
    const auto back = read<consumer_group_member_metadata_value>(tagged).message;
    BOOST_REQUIRE(back.classic_member_metadata.has_value());
    BOOST_TEST(back.classic_member_metadata->supported_protocols.at(0).name == "range");
    BOOST_TEST(!read<consumer_group_member_metadata_value>(no_tags).message.classic_member_metadata.has_value());
}

BOOST_AUTO_TEST_CASE(target_and_current_assignment_values) {
    bytes_builder target;
    target({0x00, 0x00})({0x02})(id_bytes(id_of(2)))({0x03})({0, 0, 0, 1})({0, 0, 0, 4})({0x00})({0x00});
    consumer_group_target_assignment_member_value t;
    t.topic_partitions.push_back({.topic_id = id_of(2), .partitions = {1, 4}});
    BOOST_TEST(stored(t, 0) == hex(target.out));

    const consumer_group_current_member_assignment_value c{
        .member_epoch = 3, .previous_member_epoch = 2, .state = 1,
        .assigned_partitions = {{.topic_id = id_of(1), .partitions = {0, 2}}}};
    bytes_builder current;
    current({0x00, 0x00})({0, 0, 0, 3})({0, 0, 0, 2})({0x01})                      // epochs, state
        ({0x02})(id_bytes(id_of(1)))({0x03})({0, 0, 0, 0})({0, 0, 0, 2})({0x00})  // assigned
        ({0x01})({0x00});                                                          // none pending, tags
    BOOST_TEST(stored(c, 0) == hex(current.out));
    BOOST_TEST(read<consumer_group_current_member_assignment_value>(current).message.state == 1);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(consumer_protocol)

BOOST_AUTO_TEST_CASE(subscription_by_version) {
    consumer_protocol_subscription s;
    s.topics = {"orders", "payments"};
    bytes_builder v0;  // topics, null user data
    v0({0x00, 0x00})({0, 0, 0, 2})({0x00, 0x06})("orders")({0x00, 0x08})("payments")({0xff, 0xff, 0xff, 0xff});
    BOOST_TEST(stored(s, 0) == hex(v0.out));

    s.user_data = std::vector<std::byte>{std::byte{0xee}};
    s.owned_partitions.push_back({.topic = "orders", .partitions = {2}});
    s.generation_id = 7;
    s.rack_id = "r1";
    bytes_builder v3;  // then owned partitions (v1), generation (v2), rack (v3)
    v3({0x00, 0x03})({0, 0, 0, 2})({0x00, 0x06})("orders")({0x00, 0x08})("payments")({0, 0, 0, 1, 0xee})
        ({0, 0, 0, 1})({0x00, 0x06})("orders")({0, 0, 0, 1})({0, 0, 0, 2})({0, 0, 0, 7})({0x00, 0x02})("r1");
    BOOST_TEST(stored(s, 3) == hex(v3.out));
    const auto back = read<consumer_protocol_subscription>(v3).message;
    BOOST_TEST(back.generation_id == 7);
    BOOST_TEST(back.owned_partitions.at(0).partitions.at(0) == 2);
    BOOST_TEST(back.rack_id.value() == "r1");

    bytes_builder v1 = v3;  // the same bytes as v1: read up to the owned partitions
    v1.out[1] = std::byte{0x01};
    const auto first = read<consumer_protocol_subscription>(v1);
    BOOST_TEST(first.message.generation_id == -1);
    BOOST_TEST(!first.message.rack_id.has_value());
    BOOST_TEST(first.message.owned_partitions.size() == 1u);

    bytes_builder v9 = v3;  // a newer version reads as the newest we know
    v9.out[1] = std::byte{0x09};
    BOOST_TEST(read<consumer_protocol_subscription>(v9, unknown_version::read_as_nearest).message.rack_id.value() ==
               "r1");
}

BOOST_AUTO_TEST_CASE(assignment_has_one_layout_in_every_version) {
    consumer_protocol_assignment a;
    a.assigned_partitions.push_back({.topic = "t", .partitions = {0, 3}});
    bytes_builder v0;
    v0({0x00, 0x00})({0, 0, 0, 1})({0x00, 0x01})("t")({0, 0, 0, 2})({0, 0, 0, 0})({0, 0, 0, 3})({0xff, 0xff, 0xff, 0xff});
    BOOST_TEST(stored(a, 0) == hex(v0.out));
    bytes_builder v3 = v0;
    v3.out[1] = std::byte{0x03};
    BOOST_TEST(stored(a, 3) == hex(v3.out));
    BOOST_TEST(read<consumer_protocol_assignment>(v3).message.assigned_partitions.at(0).partitions.at(1) == 3);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(transaction_state_records)

BOOST_AUTO_TEST_CASE(transaction_log_key_is_version_0) {
    bytes_builder b;
    b({0x00, 0x00})({0x00, 0x02})("tx");
    BOOST_TEST(stored(transaction_log_key{.transactional_id = "tx"}, 0) == hex(b.out));
    BOOST_TEST(read<transaction_log_key>(b).message.transactional_id == "tx");
    bytes_builder v1 = b;  // no other key version exists
    v1.out[1] = std::byte{0x01};
    BOOST_CHECK_THROW(read<transaction_log_key>(v1), decode_error);
}

BOOST_AUTO_TEST_CASE(transaction_log_value_v0_and_flexible_v1_with_tagged_fields) {
    transaction_log_value v;
    BOOST_TEST(v.previous_producer_id == -1);
    BOOST_TEST(v.next_producer_id == -1);
    BOOST_TEST(v.client_transaction_version == 0);
    v.producer_id = 5;
    v.producer_epoch = 1;
    v.transaction_timeout_ms = 60000;
    v.transaction_status = 1;  // Ongoing
    v.transaction_partitions = std::vector<transaction_log_value::partitions_schema>{{.topic = "t", .partition_ids = {0, 2}}};
    v.transaction_last_update_timestamp_ms = 11;
    v.transaction_start_timestamp_ms = 10;
    v.previous_producer_id = 3;        // tag 0
    v.client_transaction_version = 2;  // tag 2

    bytes_builder v0;  // what Kafka writes until transaction version 2: no tagged fields
    v0({0x00, 0x00})({0, 0, 0, 0, 0, 0, 0, 5})({0x00, 0x01})({0x00, 0x00, 0xea, 0x60})({0x01})
        ({0, 0, 0, 1})({0x00, 0x01})("t")({0, 0, 0, 2})({0, 0, 0, 0})({0, 0, 0, 2})  // 1 topic: t [0, 2]
        ({0, 0, 0, 0, 0, 0, 0, 11})({0, 0, 0, 0, 0, 0, 0, 10});
    BOOST_TEST(stored(v, 0) == hex(v0.out));
    const auto old = read<transaction_log_value>(v0);
    BOOST_TEST(old.message.previous_producer_id == -1);
    BOOST_TEST(old.message.transaction_partitions->at(0).partition_ids == std::vector<std::int32_t>({0, 2}));

    bytes_builder v1;  // compact, then tags 0 (8 bytes) and 2 (2 bytes); tag 1 is at its default
    v1({0x00, 0x01})({0, 0, 0, 0, 0, 0, 0, 5})({0x00, 0x01})({0x00, 0x00, 0xea, 0x60})({0x01})
        ({0x02})({0x02})("t")({0x03})({0, 0, 0, 0})({0, 0, 0, 2})({0x00})
        ({0, 0, 0, 0, 0, 0, 0, 11})({0, 0, 0, 0, 0, 0, 0, 10})
        ({0x02})({0x00, 0x08})({0, 0, 0, 0, 0, 0, 0, 3})({0x02, 0x02})({0x00, 0x02});
    BOOST_TEST(stored(v, 1) == hex(v1.out));
    const auto back = read<transaction_log_value>(v1);
    BOOST_TEST(back.message.previous_producer_id == 3);
    BOOST_TEST(back.message.next_producer_id == -1);
    BOOST_TEST(back.message.client_transaction_version == 2);

    // Kafka writes null partitions for an Empty transaction.
    v.transaction_status = 0;
    v.transaction_partitions = std::nullopt;
    v.previous_producer_id = -1;
    v.client_transaction_version = 0;
    bytes_builder empty0;
    empty0({0x00, 0x00})({0, 0, 0, 0, 0, 0, 0, 5})({0x00, 0x01})({0x00, 0x00, 0xea, 0x60})({0x00})
        ({0xff, 0xff, 0xff, 0xff})({0, 0, 0, 0, 0, 0, 0, 11})({0, 0, 0, 0, 0, 0, 0, 10});
    BOOST_TEST(stored(v, 0) == hex(empty0.out));
    BOOST_TEST(!read<transaction_log_value>(empty0).message.transaction_partitions.has_value());
    bytes_builder empty1;
    empty1({0x00, 0x01})({0, 0, 0, 0, 0, 0, 0, 5})({0x00, 0x01})({0x00, 0x00, 0xea, 0x60})({0x00})
        ({0x00})({0, 0, 0, 0, 0, 0, 0, 11})({0, 0, 0, 0, 0, 0, 0, 10})({0x00});
    BOOST_TEST(stored(v, 1) == hex(empty1.out));
    BOOST_TEST(!read<transaction_log_value>(empty1).message.transaction_partitions.has_value());
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace sluice::protocol
