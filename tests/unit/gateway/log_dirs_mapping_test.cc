// DescribeLogDirs between Kafka's wire form and the partition server's RPC
// (services/gateway/handlers/log_dirs_mapping.h).
#include <boost/test/unit_test.hpp>

#include "common/protocol/wire.h"
#include "services/gateway/handlers/log_dirs_mapping.h"

using namespace sluice;
using namespace sluice::gateway;
using protocol::error_code;
namespace pv1 = partition::v1;

namespace {

std::int16_t code_of(error_code e) { return static_cast<std::int16_t>(e); }

void add_replica(pv1::DescribeLogDirsResponse& r, const std::string& topic, int partition, std::int64_t size,
                 pv1::PartitionError error = pv1::PARTITION_OK) {
  auto* e = r.add_partitions();
  e->set_topic(topic);
  e->set_partition(partition);
  e->set_error(error);
  e->set_size_bytes(error == pv1::PARTITION_OK ? size : -1);
}

/// `response` through the codec at `version`, as a client decodes it.
protocol::describe_log_dirs_response over_the_wire(const protocol::describe_log_dirs_response& response,
                                                   std::int16_t version) {
  protocol::writer w;
  response.encode(w, version);
  auto bytes = w.take();
  protocol::reader r(bytes);
  protocol::describe_log_dirs_response out;
  out.decode(r, version);
  return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(log_dirs_mapping)

BOOST_AUTO_TEST_CASE(null_topics_ask_for_every_replica) {
  protocol::describe_log_dirs_request request;
  request.topics.reset();
  auto q = log_dirs_query(request);
  BOOST_TEST(q.all_partitions());
  BOOST_TEST(q.partitions_size() == 0);
}

BOOST_AUTO_TEST_CASE(named_partitions_are_a_set_and_an_empty_list_asks_for_none) {
  protocol::describe_log_dirs_request request;
  request.topics.emplace();
  request.topics->push_back({.topic = "a", .partitions = {2, 0, 2}});
  request.topics->push_back({.topic = "b", .partitions = {1}});
  request.topics->push_back({.topic = "a", .partitions = {0, 5}});
  auto q = log_dirs_query(request);
  BOOST_TEST(!q.all_partitions());
  BOOST_REQUIRE(q.partitions_size() == 4);
  BOOST_TEST(q.partitions(0).topic() == "a");
  BOOST_TEST(q.partitions(0).partition() == 2);
  BOOST_TEST(q.partitions(1).partition() == 0);
  BOOST_TEST(q.partitions(2).topic() == "b");
  BOOST_TEST(q.partitions(3).topic() == "a");
  BOOST_TEST(q.partitions(3).partition() == 5);

  protocol::describe_log_dirs_request none;
  none.topics.emplace();
  auto empty = log_dirs_query(none);
  BOOST_TEST(!empty.all_partitions());
  BOOST_TEST(empty.partitions_size() == 0);
}

BOOST_AUTO_TEST_CASE(the_one_directory_lists_hosted_replicas_grouped_by_topic) {
  pv1::DescribeLogDirsResponse reply;
  reply.set_log_dir("/data/ps-1");
  reply.set_total_bytes(1000000);
  reply.set_usable_bytes(400000);
  add_replica(reply, "a", 0, 120);
  add_replica(reply, "b", 3, 0);
  add_replica(reply, "a", 1, 7000);
  add_replica(reply, "a", 2, -1, pv1::NOT_LEADER);         // named, not hosted here
  add_replica(reply, "c", 0, -1, pv1::UNKNOWN_PARTITION);  // named, unknown
  add_replica(reply, "b", 4, -1, pv1::STORAGE_ERROR);      // closing
  auto out = log_dirs_answer(reply);
  BOOST_TEST(out.error_code == 0);
  BOOST_REQUIRE(out.results.size() == 1u);
  const auto& dir = out.results[0];
  BOOST_TEST(dir.error_code == 0);
  BOOST_TEST(dir.log_dir == "/data/ps-1");
  BOOST_TEST(dir.total_bytes == 1000000);
  BOOST_TEST(dir.usable_bytes == 400000);
  BOOST_REQUIRE(dir.topics.size() == 2u);
  BOOST_TEST(dir.topics[0].name == "a");
  BOOST_REQUIRE(dir.topics[0].partitions.size() == 2u);
  BOOST_TEST(dir.topics[0].partitions[0].partition_index == 0);
  BOOST_TEST(dir.topics[0].partitions[0].partition_size == 120);
  BOOST_TEST(dir.topics[0].partitions[1].partition_index == 1);
  BOOST_TEST(dir.topics[0].partitions[1].partition_size == 7000);
  BOOST_TEST(!dir.topics[0].partitions[1].is_future_key);
  BOOST_TEST(dir.topics[1].name == "b");
  BOOST_REQUIRE(dir.topics[1].partitions.size() == 1u);
  BOOST_TEST(dir.topics[1].partitions[0].partition_index == 3);
  BOOST_TEST(dir.topics[1].partitions[0].offset_lag == 0);

  // v4 carries the volume, v5 IsCordoned (false); v1 has neither.
  auto v5 = over_the_wire(out, 5);
  BOOST_TEST(v5.results[0].total_bytes == 1000000);
  BOOST_TEST(!v5.results[0].is_cordoned);
  auto v1 = over_the_wire(out, 1);
  BOOST_TEST(v1.results[0].total_bytes == -1);
  BOOST_TEST(v1.results[0].topics.size() == 2u);
}

BOOST_AUTO_TEST_CASE(an_unreadable_directory_is_a_storage_error_without_topics) {
  pv1::DescribeLogDirsResponse reply;
  reply.set_log_dir("/data/ps-2");
  reply.set_error(pv1::STORAGE_ERROR);
  reply.set_total_bytes(-1);
  reply.set_usable_bytes(-1);
  auto out = log_dirs_answer(reply);
  BOOST_TEST(out.error_code == 0);
  BOOST_REQUIRE(out.results.size() == 1u);
  BOOST_TEST(out.results[0].error_code == code_of(error_code::kafka_storage_error));
  BOOST_TEST(out.results[0].log_dir == "/data/ps-2");
  BOOST_TEST(out.results[0].topics.empty());
  BOOST_TEST(out.results[0].total_bytes == -1);
  BOOST_TEST(out.results[0].usable_bytes == -1);
}

BOOST_AUTO_TEST_CASE(a_broker_that_cannot_be_asked_is_a_top_level_error_from_v3) {
  BOOST_TEST(code_of(log_dirs_call_error(messaging::rpc_status::unavailable)) == code_of(error_code::broker_not_available));
  BOOST_TEST(code_of(log_dirs_call_error(messaging::rpc_status::shutting_down)) == code_of(error_code::broker_not_available));
  BOOST_TEST(code_of(log_dirs_call_error(messaging::rpc_status::timed_out)) == code_of(error_code::request_timed_out));
  BOOST_TEST(code_of(log_dirs_call_error(messaging::rpc_status::bad_request)) == code_of(error_code::unknown_server_error));
  BOOST_TEST(code_of(log_dirs_call_error(messaging::rpc_status::unknown_method)) == code_of(error_code::unknown_server_error));
  auto out = log_dirs_failure(error_code::broker_not_available);
  BOOST_TEST(out.results.empty());
  BOOST_TEST(over_the_wire(out, 3).error_code == code_of(error_code::broker_not_available));
  // v1-2 have no field for it: an empty answer is all they can say.
  BOOST_TEST(over_the_wire(out, 2).error_code == 0);
  BOOST_TEST(over_the_wire(out, 2).results.empty());
}

BOOST_AUTO_TEST_SUITE_END()
