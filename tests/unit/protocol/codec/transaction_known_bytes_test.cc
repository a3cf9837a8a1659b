// Hand-checked bytes of the transaction APIs, where a version changes the
// layout: InitProducerId's flexible v2 and the producer id/epoch of v3,
// AddPartitionsToTxn's one-transaction form (v0-3) against the batched broker
// form (v4+), EndTxn v5's producer id/epoch, TxnOffsetCommit's membership (v3)
// and v5 = v4, ListTransactions' filters by version, and the admin APIs'
// responses (DescribeProducers' int32 epoch). Written out field by field from
// Kafka's message layouts, so a codec wrong the same way in encode and decode
// fails here.
#include <boost/test/unit_test.hpp>

#include <utility>
#include <vector>

#include "common/protocol/api_keys.h"
#include "common/protocol/messages/add_offsets_to_txn.h"
#include "common/protocol/messages/add_partitions_to_txn.h"
#include "common/protocol/messages/describe_producers.h"
#include "common/protocol/messages/describe_transactions.h"
#include "common/protocol/messages/end_txn.h"
#include "common/protocol/messages/init_producer_id.h"
#include "common/protocol/messages/list_transactions.h"
#include "common/protocol/messages/txn_offset_commit.h"
#include "tests/unit/protocol/codec/hex.h"
#include "tests/unit/protocol/codec/known_bytes.h"

namespace sluice::protocol {

using namespace testgen;  // bytes_builder, encode, decode_all, hex: the byte tests' helpers

BOOST_AUTO_TEST_SUITE(transaction_apis)

BOOST_AUTO_TEST_CASE(init_producer_id_null_transactional_id_and_v3_resume_fields) {
    init_producer_id_request req;
    BOOST_TEST(req.transactional_id.has_value());  // nullable without default=null: ""
    BOOST_TEST(req.producer_id == -1);
    BOOST_TEST(req.producer_epoch == -1);
    req.transactional_id = std::nullopt;
    req.transaction_timeout_ms = 60000;

    bytes_builder v0;  // int16 -1: null string, then the timeout
    v0({0xff, 0xff})({0x00, 0x00, 0xea, 0x60});
    BOOST_TEST(hex(encode(req, 0)) == hex(v0.out));
    BOOST_TEST(!decode_all<init_producer_id_request>(v0.out, 1).transactional_id.has_value());

    bytes_builder v2;  // flexible: compact null, tags
    v2({0x00})({0x00, 0x00, 0xea, 0x60})({0x00});
    BOOST_TEST(hex(encode(req, 2)) == hex(v2.out));

    req.transactional_id = "tx";
    req.producer_id = 7;
    req.producer_epoch = 3;
    bytes_builder v3;  // v3 adds the producer's current id and epoch (KIP-360)
    v3({0x03})("tx")({0x00, 0x00, 0xea, 0x60})({0, 0, 0, 0, 0, 0, 0, 7})({0x00, 0x03})({0x00});
    BOOST_TEST(hex(encode(req, 3)) == hex(v3.out));
    BOOST_TEST(hex(encode(req, 5)) == hex(v3.out));  // v4, v5: new error codes only
    const auto back = decode_all<init_producer_id_request>(v3.out, 3);
    BOOST_TEST(back.transactional_id.value() == "tx");
    BOOST_TEST(back.producer_id == 7);
    BOOST_TEST(back.producer_epoch == 3);
    BOOST_TEST(decode_all<init_producer_id_request>(v2.out, 2).producer_id == -1);  // v2 lacks it

    init_producer_id_response resp;
    resp.producer_id = 1000;
    resp.producer_epoch = 0;
    bytes_builder r0;  // throttle, error, producer id, epoch
    r0({0, 0, 0, 0})({0x00, 0x00})({0, 0, 0, 0, 0, 0, 0x03, 0xe8})({0x00, 0x00});
    BOOST_TEST(hex(encode(resp, 0)) == hex(r0.out));
    bytes_builder r2 = r0;
    r2({0x00});
    BOOST_TEST(hex(encode(resp, 2)) == hex(r2.out));
}

BOOST_AUTO_TEST_CASE(add_partitions_to_txn_v3_is_one_transaction_v4_a_batch) {
    add_partitions_to_txn_request req;
    req.v3_and_below_transactional_id = "tx";
    req.v3_and_below_producer_id = 5;
    req.v3_and_below_producer_epoch = 1;
    req.v3_and_below_topics.push_back({.name = "t", .partitions = {0, 1}});
    req.transactions.push_back({.transactional_id = "tx",
                                .producer_id = 5,
                                .producer_epoch = 1,
                                .verify_only = true,
                                .topics = req.v3_and_below_topics});

    bytes_builder v2;  // non-flexible: int16 strings, int32 array lengths
    v2({0x00, 0x02})("tx")({0, 0, 0, 0, 0, 0, 0, 5})({0x00, 0x01})
        ({0, 0, 0, 1})({0x00, 0x01})("t")({0, 0, 0, 2})({0, 0, 0, 0})({0, 0, 0, 1});
    BOOST_TEST(hex(encode(req, 2)) == hex(v2.out));

    bytes_builder v3;  // the same fields, compact; the batch is not written
    v3({0x03})("tx")({0, 0, 0, 0, 0, 0, 0, 5})({0x00, 0x01})
        ({0x02})({0x02})("t")({0x03})({0, 0, 0, 0})({0, 0, 0, 1})({0x00})  // 1 topic, [0, 1], topic tags
        ({0x00});                                                          // request tags
    BOOST_TEST(hex(encode(req, 3)) == hex(v3.out));
    const auto back3 = decode_all<add_partitions_to_txn_request>(v3.out, 3);
    BOOST_TEST(back3.v3_and_below_transactional_id == "tx");
    BOOST_TEST(back3.transactions.empty());
    BOOST_TEST(back3.v3_and_below_topics.at(0).partitions == std::vector<std::int32_t>({0, 1}));

    bytes_builder v4;  // one batched transaction, VerifyOnly; the v3 fields are not written
    v4({0x02})                                                   // 1 transaction
        ({0x03})("tx")({0, 0, 0, 0, 0, 0, 0, 5})({0x00, 0x01})({0x01})  // id, producer, epoch, verify only
        ({0x02})({0x02})("t")({0x03})({0, 0, 0, 0})({0, 0, 0, 1})({0x00})
        ({0x00})                                                 // transaction tags
        ({0x00});                                                // request tags
    BOOST_TEST(hex(encode(req, 4)) == hex(v4.out));
    BOOST_TEST(hex(encode(req, 5)) == hex(v4.out));
    const auto back4 = decode_all<add_partitions_to_txn_request>(v4.out, 4);
    BOOST_REQUIRE(back4.transactions.size() == 1u);
    BOOST_TEST(back4.transactions[0].verify_only);
    BOOST_TEST(back4.transactions[0].topics.at(0).name == "t");
    BOOST_TEST(back4.v3_and_below_transactional_id.empty());

    add_partitions_to_txn_response resp;
    resp.throttle_time_ms = 1;
    resp.error_code = 0;
    const add_partitions_to_txn_response::add_partitions_to_txn_topic_result topic{
        .name = "t", .results_by_partition = {{.partition_index = 0, .partition_error_code = 51}}};
    resp.results_by_topic_v3_and_below.push_back(topic);
    resp.results_by_transaction.push_back({.transactional_id = "tx", .topic_results = {topic}});

    bytes_builder r3;  // throttle, then the topics of the one transaction
    r3({0, 0, 0, 1})({0x02})({0x02})("t")({0x02})({0, 0, 0, 0})({0x00, 0x33})({0x00})({0x00})({0x00});
    BOOST_TEST(hex(encode(resp, 3)) == hex(r3.out));
    bytes_builder r4;  // throttle, top-level error, results by transaction
    r4({0, 0, 0, 1})({0x00, 0x00})({0x02})({0x03})("tx")
        ({0x02})({0x02})("t")({0x02})({0, 0, 0, 0})({0x00, 0x33})({0x00})({0x00})  // topics
        ({0x00})({0x00});                                                          // transaction, response tags
    BOOST_TEST(hex(encode(resp, 4)) == hex(r4.out));
    const auto back = decode_all<add_partitions_to_txn_response>(r4.out, 4);
    BOOST_TEST(back.results_by_transaction.at(0).topic_results.at(0).results_by_partition.at(0).partition_error_code ==
               51);
}

BOOST_AUTO_TEST_CASE(add_offsets_to_txn_becomes_compact_at_v3) {
    const add_offsets_to_txn_request req{
        .transactional_id = "tx", .producer_id = 5, .producer_epoch = 1, .group_id = "g"};
    bytes_builder v2;
    v2({0x00, 0x02})("tx")({0, 0, 0, 0, 0, 0, 0, 5})({0x00, 0x01})({0x00, 0x01})("g");
    BOOST_TEST(hex(encode(req, 2)) == hex(v2.out));
    bytes_builder v3;
    v3({0x03})("tx")({0, 0, 0, 0, 0, 0, 0, 5})({0x00, 0x01})({0x02})("g")({0x00});
    BOOST_TEST(hex(encode(req, 3)) == hex(v3.out));
    BOOST_TEST(hex(encode(req, 4)) == hex(v3.out));
    BOOST_TEST(decode_all<add_offsets_to_txn_request>(v3.out, 4).group_id == "g");
}

BOOST_AUTO_TEST_CASE(end_txn_v5_response_carries_the_producer_id_and_new_epoch) {
    const end_txn_request req{.transactional_id = "tx", .producer_id = 5, .producer_epoch = 1, .committed = true};
    bytes_builder q3;
    q3({0x03})("tx")({0, 0, 0, 0, 0, 0, 0, 5})({0x00, 0x01})({0x01})({0x00});
    BOOST_TEST(hex(encode(req, 3)) == hex(q3.out));
    BOOST_TEST(hex(encode(req, 5)) == hex(q3.out));
    BOOST_TEST(decode_all<end_txn_request>(q3.out, 5).committed);

    end_txn_response resp;
    BOOST_TEST(resp.producer_id == -1);
    BOOST_TEST(resp.producer_epoch == -1);
    resp.error_code = 0;
    resp.producer_id = 5;
    resp.producer_epoch = 2;
    bytes_builder r4;  // throttle, error, tags
    r4({0, 0, 0, 0})({0x00, 0x00})({0x00});
    BOOST_TEST(hex(encode(resp, 4)) == hex(r4.out));
    bytes_builder r5;  // v5 (KIP-890 part 2): producer id and epoch before the tags
    r5({0, 0, 0, 0})({0x00, 0x00})({0, 0, 0, 0, 0, 0, 0, 5})({0x00, 0x02})({0x00});
    BOOST_TEST(hex(encode(resp, 5)) == hex(r5.out));
    const auto back = decode_all<end_txn_response>(r5.out, 5);
    BOOST_TEST(back.producer_id == 5);
    BOOST_TEST(back.producer_epoch == 2);
    BOOST_TEST(decode_all<end_txn_response>(r4.out, 4).producer_id == -1);
}

BOOST_AUTO_TEST_CASE(txn_offset_commit_membership_from_v3_and_v5_laid_out_like_v4) {
    txn_offset_commit_request req;
    BOOST_TEST(req.generation_id == -1);
    BOOST_TEST(!req.group_instance_id.has_value());
    req.transactional_id = "tx";
    req.group_id = "g";
    req.producer_id = 5;
    req.producer_epoch = 1;
    req.generation_id = 2;
    req.member_id = "m";
    req.topics.push_back(
        {.name = "t", .partitions = {{.partition_index = 0, .committed_offset = 9, .committed_leader_epoch = 4,
                                      .committed_metadata = std::nullopt}}});

    bytes_builder v1;  // no leader epoch, no membership
    v1({0x00, 0x02})("tx")({0x00, 0x01})("g")({0, 0, 0, 0, 0, 0, 0, 5})({0x00, 0x01})
        ({0, 0, 0, 1})({0x00, 0x01})("t")({0, 0, 0, 1})({0, 0, 0, 0})({0, 0, 0, 0, 0, 0, 0, 9})({0xff, 0xff});
    BOOST_TEST(hex(encode(req, 1)) == hex(v1.out));

    bytes_builder v2;  // v2 adds the committed leader epoch
    v2({0x00, 0x02})("tx")({0x00, 0x01})("g")({0, 0, 0, 0, 0, 0, 0, 5})({0x00, 0x01})
        ({0, 0, 0, 1})({0x00, 0x01})("t")({0, 0, 0, 1})({0, 0, 0, 0})({0, 0, 0, 0, 0, 0, 0, 9})({0, 0, 0, 4})
        ({0xff, 0xff});
    BOOST_TEST(hex(encode(req, 2)) == hex(v2.out));

    bytes_builder v3;  // flexible; generation, member id and a null instance id after the epoch
    v3({0x03})("tx")({0x02})("g")({0, 0, 0, 0, 0, 0, 0, 5})({0x00, 0x01})
        ({0, 0, 0, 2})({0x02})("m")({0x00})
        ({0x02})({0x02})("t")({0x02})({0, 0, 0, 0})({0, 0, 0, 0, 0, 0, 0, 9})({0, 0, 0, 4})({0x00})({0x00})  // partition
        ({0x00})({0x00});                                                                                  // topic, request tags
    BOOST_TEST(hex(encode(req, 3)) == hex(v3.out));
    BOOST_TEST(hex(encode(req, 5)) == hex(v3.out));
    const auto back = decode_all<txn_offset_commit_request>(v3.out, 5);
    BOOST_TEST(back.member_id == "m");
    BOOST_TEST(back.generation_id == 2);
    BOOST_TEST(!back.topics.at(0).partitions.at(0).committed_metadata.has_value());

    txn_offset_commit_response resp;
    resp.topics.push_back({.name = "t", .partitions = {{.partition_index = 0, .error_code = 0}}});
    bytes_builder r5;
    r5({0, 0, 0, 0})({0x02})({0x02})("t")({0x02})({0, 0, 0, 0})({0x00, 0x00})({0x00})({0x00})({0x00});
    BOOST_TEST(hex(encode(resp, 5)) == hex(r5.out));
}

BOOST_AUTO_TEST_CASE(list_transactions_filters_by_version) {
    list_transactions_request req;
    BOOST_TEST(req.duration_filter == -1);
    BOOST_TEST(!req.transactional_id_pattern.has_value());
    req.state_filters = {"Ongoing"};
    req.duration_filter = 1000;
    req.transactional_id_pattern = "tx-.*";

    bytes_builder v0;  // states, producer ids (empty), tags
    v0({0x02})({0x08})("Ongoing")({0x01})({0x00});
    BOOST_TEST(hex(encode(req, 0)) == hex(v0.out));
    bytes_builder v1;  // v1 adds the duration filter (KIP-994)
    v1({0x02})({0x08})("Ongoing")({0x01})({0, 0, 0, 0, 0, 0, 0x03, 0xe8})({0x00});
    BOOST_TEST(hex(encode(req, 1)) == hex(v1.out));
    bytes_builder v2;  // v2 adds the transactional id pattern (KIP-1152)
    v2({0x02})({0x08})("Ongoing")({0x01})({0, 0, 0, 0, 0, 0, 0x03, 0xe8})({0x06})("tx-.*")({0x00});
    BOOST_TEST(hex(encode(req, 2)) == hex(v2.out));
    BOOST_TEST(decode_all<list_transactions_request>(v2.out, 2).transactional_id_pattern.value() == "tx-.*");
    BOOST_TEST(decode_all<list_transactions_request>(v1.out, 1).duration_filter == 1000);

    list_transactions_response resp;
    resp.unknown_state_filters = {"Bogus"};
    resp.transaction_states.push_back({.transactional_id = "tx", .producer_id = 5, .transaction_state = "Ongoing"});
    bytes_builder r;  // throttle, error, unknown filters, states
    r({0, 0, 0, 0})({0x00, 0x00})({0x02})({0x06})("Bogus")
        ({0x02})({0x03})("tx")({0, 0, 0, 0, 0, 0, 0, 5})({0x08})("Ongoing")({0x00})({0x00});
    BOOST_TEST(hex(encode(resp, 0)) == hex(r.out));
    BOOST_TEST(hex(encode(resp, 2)) == hex(r.out));
}

BOOST_AUTO_TEST_CASE(describe_transactions_v0) {
    describe_transactions_request req;
    req.transactional_ids = {"tx"};
    bytes_builder q;
    q({0x02})({0x03})("tx")({0x00});
    BOOST_TEST(hex(encode(req, 0)) == hex(q.out));

    describe_transactions_response resp;
    resp.transaction_states.push_back({.error_code = 0,
                                       .transactional_id = "tx",
                                       .transaction_state = "Ongoing",
                                       .transaction_timeout_ms = 60000,
                                       .transaction_start_time_ms = 10,
                                       .producer_id = 5,
                                       .producer_epoch = 1,
                                       .topics = {{.topic = "t", .partitions = {2}}}});
    bytes_builder r;
    r({0, 0, 0, 0})({0x02})({0x00, 0x00})({0x03})("tx")({0x08})("Ongoing")({0x00, 0x00, 0xea, 0x60})
        ({0, 0, 0, 0, 0, 0, 0, 10})({0, 0, 0, 0, 0, 0, 0, 5})({0x00, 0x01})
        ({0x02})({0x02})("t")({0x02})({0, 0, 0, 2})({0x00})  // 1 topic, [2], topic tags
        ({0x00})({0x00});                                    // state tags, response tags
    BOOST_TEST(hex(encode(resp, 0)) == hex(r.out));
    const auto back = decode_all<describe_transactions_response>(r.out, 0);
    BOOST_TEST(back.transaction_states.at(0).transaction_state == "Ongoing");
    BOOST_TEST(back.transaction_states.at(0).topics.at(0).partitions.at(0) == 2);
}

BOOST_AUTO_TEST_CASE(describe_producers_v0_epoch_is_an_int32) {
    describe_producers_request req;
    req.topics.push_back({.name = "t", .partition_indexes = {0}});
    bytes_builder q;
    q({0x02})({0x02})("t")({0x02})({0, 0, 0, 0})({0x00})({0x00});
    BOOST_TEST(hex(encode(req, 0)) == hex(q.out));

    describe_producers_response resp;
    auto& p = resp.topics.emplace_back(describe_producers_response::topic_response{.name = "t"})
                  .partitions.emplace_back();
    BOOST_TEST(!p.error_message.has_value());  // default=null
    describe_producers_response::producer_state s;
    BOOST_TEST(s.last_sequence == -1);
    BOOST_TEST(s.current_txn_start_offset == -1);
    s.producer_id = 5;
    s.producer_epoch = 1;
    s.last_sequence = 9;
    s.last_timestamp = 10;
    s.coordinator_epoch = 3;
    p.active_producers.push_back(s);
    bytes_builder r;
    r({0, 0, 0, 0})({0x02})({0x02})("t")({0x02})({0, 0, 0, 0})({0x00, 0x00})({0x00})  // partition 0, error 0, null msg
        ({0x02})({0, 0, 0, 0, 0, 0, 0, 5})({0, 0, 0, 1})({0, 0, 0, 9})                // producer 5, int32 epoch 1, seq 9
        ({0, 0, 0, 0, 0, 0, 0, 10})({0, 0, 0, 3})                                     // last timestamp, coordinator epoch
        ({0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff})({0x00})                    // no open transaction, tags
        ({0x00})({0x00})({0x00});                                                     // partition, topic, response tags
    BOOST_TEST(hex(encode(resp, 0)) == hex(r.out));
    const auto back = decode_all<describe_producers_response>(r.out, 0);
    BOOST_TEST(back.topics.at(0).partitions.at(0).active_producers.at(0).coordinator_epoch == 3);
}

BOOST_AUTO_TEST_CASE(header_versions_follow_the_first_flexible_version) {
    // (api, first flexible version) as in the schemas: header v2/v1 from there on.
    const std::vector<std::pair<api_key, std::int16_t>> first_flexible = {
        {api_key::init_producer_id, 2}, {api_key::add_partitions_to_txn, 3}, {api_key::add_offsets_to_txn, 3},
        {api_key::end_txn, 3},          {api_key::txn_offset_commit, 3},     {api_key::describe_producers, 0},
        {api_key::describe_transactions, 0}, {api_key::list_transactions, 0},
    };
    for (auto [key, first] : first_flexible) {
        BOOST_TEST_CONTEXT(api_name(key)) {
            BOOST_TEST(request_header_version(key, first) == 2);
            BOOST_TEST(response_header_version(key, first) == 1);
            if (first > 0) {
                BOOST_TEST(request_header_version(key, first - 1) == 1);
                BOOST_TEST(response_header_version(key, first - 1) == 0);
            }
        }
    }
    BOOST_TEST(api_name(api_key::add_partitions_to_txn) == "AddPartitionsToTxn");
    BOOST_TEST(api_name(api_key::describe_producers) == "DescribeProducers");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace sluice::protocol
